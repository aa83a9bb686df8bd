// The shortest-paths task's labels against brute force: every simple path on small grids enumerated, the cells of the shortest ones marked.
import XCTest
@testable import Core

final class ShortestPathLabelTests: XCTestCase {
    /// The cells on at least one shortest 4-connected path from p to q, by enumerating every simple
    /// path (exponential, so small grids only); nil when q cannot be reached.
    private func bruteForce(grid: Int, blocked: [Bool], from p: Int, to q: Int) -> [Bool]? {
        var best = Int.max
        var onBest = [Bool](repeating: false, count: grid * grid)
        var path: [Int] = [p]
        var visited = [Bool](repeating: false, count: grid * grid)
        visited[p] = true
        func walk(_ v: Int) {
            if path.count - 1 > best { return }
            if v == q {
                let length = path.count - 1
                if length < best { best = length; onBest = [Bool](repeating: false, count: grid * grid) }
                for cell in path { onBest[cell] = true }
                return
            }
            let (r, c) = (v / grid, v % grid)
            for (dr, dc) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                let (nr, nc) = (r + dr, c + dc)
                guard nr >= 0, nr < grid, nc >= 0, nc < grid else { continue }
                let u = nr * grid + nc
                guard !blocked[u], !visited[u] else { continue }
                visited[u] = true
                path.append(u)
                walk(u)
                path.removeLast()
                visited[u] = false
            }
        }
        walk(p)
        return best == .max ? nil : onBest
    }

    func testBFSLabelsMatchEveryShortestPathOnSmallGrids() {
        var rng = RandomStream(seed: 9)
        var reachable = 0, unreachable = 0, multiPath = 0
        for trial in 0..<300 {
            let grid = 3 + trial % 3  // 3×3 to 5×5
            let cells = grid * grid
            let p = rng.nextInt(below: cells)
            var q = rng.nextInt(below: cells)
            if q == p { q = (p + 1) % cells }
            var blocked = [Bool](repeating: false, count: cells)
            for i in 0..<cells where i != p && i != q { blocked[i] = rng.nextDouble() < 0.3 }
            let expected = bruteForce(grid: grid, blocked: blocked, from: p, to: q)
            let got = ShortestPathLabels.onShortestPath(grid: grid, blocked: blocked, from: p, to: q)
            XCTAssertEqual(got, expected, "trial \(trial): grid \(grid), p \(p), q \(q), blocked \(blocked)")
            if let expected {
                reachable += 1
                let (pr, pc, qr, qc) = (p / grid, p % grid, q / grid, q % grid)
                if expected.filter({ $0 }).count > abs(pr - qr) + abs(pc - qc) + 1 { multiPath += 1 }
            } else {
                unreachable += 1
            }
        }
        // The trials cover unreachable targets and targets with several shortest paths.
        XCTAssertGreaterThan(unreachable, 10)
        XCTAssertGreaterThan(multiPath, 50)
        XCTAssertGreaterThan(reachable, 150)
    }

    func testGeneratedSamplesCarryTheirLabels() throws {
        var rng = RandomStream(seed: 4)
        let data = try shortestPaths(count: 20, grid: 5, maxDistance: 3, obstacles: 0.2, using: &rng)
        for n in 0..<20 {
            let x = data.x.scalars[(n * 50)..<(n * 50 + 50)].map { $0 }
            let ends = (0..<25).filter { x[$0] == 1 }
            XCTAssertEqual(ends.count, 2, "two query points")
            let blocked = (0..<25).map { x[25 + $0] == 1 }
            let label = data.y.scalars[(n * 25)..<(n * 25 + 25)].map { $0 == 1 }
            XCTAssertEqual(bruteForce(grid: 5, blocked: blocked, from: ends[0], to: ends[1]), label, "sample \(n)")
        }
    }
}
