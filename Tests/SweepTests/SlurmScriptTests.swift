// The Slurm backend's text: the --array list and the whole generated sbatch script.
@testable import Sweep
import XCTest

final class SlurmScriptTests: XCTestCase {
    func testArraySpecCompressesRunsAndAddsTheLimit() {
        XCTAssertEqual(Slurm.arraySpec([0, 1, 2, 3, 4, 5], maxRunning: 2), "0-5%2")
        XCTAssertEqual(Slurm.arraySpec([7, 1, 2, 3, 5], maxRunning: nil), "1-3,5,7")
        XCTAssertEqual(Slurm.arraySpec([4], maxRunning: nil), "4")
    }

    func testTheBatchScriptRunsPointIInTaskI() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sweep-sbatch-\(UUID().uuidString)").path
        addTeardownBlock { try? FileManager.default.removeItem(atPath: dir) }
        let points = try sweepPoints(fixed: [], explicit: nil, axes: [GridAxis.parse("lr=0.1,0.01,0.001"), GridAxis.parse("seed=0,1")])
        let folder = try SweepFolder.create(at: dir, script: "/work/it's.wh", points: points)
        var options = SlurmOptions()
        options.partition = "gpu"
        options.time = "0:30:00"
        options.cpusPerTask = 2
        options.maxRunning = 3
        options.timeout = 600
        let text = Slurm.batchScript(folder: folder, points: points, whittle: "/opt/whittle/bin/whittle", options: options)
        XCTAssertEqual(text, """
            #!/bin/bash
            # A Whittle sweep of /work/it's.wh: array task i runs point i of \(folder.path)/manifest.json.
            #SBATCH --job-name=whittle-sweep
            #SBATCH --array=0-5%3
            #SBATCH --output=\(folder.path)/slurm/%A_%a.out
            #SBATCH --cpus-per-task=2
            #SBATCH --partition=gpu
            #SBATCH --time=0:30:00
            export OPENBLAS_NUM_THREADS=2
            export WHITTLE_THREADS=2
            exec '/opt/whittle/bin/whittle' sweep point '\(folder.path)' "$SLURM_ARRAY_TASK_ID" --timeout 600

            """)
        // A resubmission covers only the unfinished points.
        let rest = Slurm.batchScript(folder: folder, points: [points[1], points[4], points[5]], whittle: "w", options: SlurmOptions())
        XCTAssertTrue(rest.contains("#SBATCH --array=1,4-5\n"), rest)
        XCTAssertFalse(rest.contains("--partition"), rest)
    }
}
