// The synthetic shortest-paths task of the soft-sharing thesis: grids with obstacles, BFS labels of every shortest path.

/// Defaults of `shortestPaths`, written once (thesis §3.5.2, spec §7.3).
public enum ShortestPathDefaults {
    public static let grid = 32
    public static let obstacles = 0.1
    /// The curriculum's query distances, one per phase (5,000 samples each in the thesis).
    public static let phases = [2, 4, 6, 8, 10]
}

/// `count` samples of the shortest-paths task on a `grid`×`grid` board.
///
/// Input [N, 2, g, g]: channel 0 is 1 at the two query points P and Q, channel 1 at obstacles;
/// target [N, 1, g, g]: 1 on every cell that lies on at least one shortest 4-connected path from P
/// to Q (P and Q included). Q is drawn uniformly among the cells at Chebyshev distance 1…
/// `maxDistance` from P ("including diagonal moves"); every other cell is an obstacle with
/// probability `obstacles`; a sample whose Q cannot be reached is drawn again.
/// - Throws: `CoreError.badArgument` for a grid below 2, a distance below 1 or an obstacle rate
///   outside [0, 0.9].
public func shortestPaths(count: Int, grid: Int = ShortestPathDefaults.grid, maxDistance: Int,
                          obstacles: Double = ShortestPathDefaults.obstacles, using rng: inout RandomStream) throws -> Dataset {
    guard count >= 1 else { throw CoreError.badArgument(op: "shortest_paths", message: "count must be at least 1, got \(count)") }
    guard grid >= 2, grid <= 1024 else { throw CoreError.badArgument(op: "shortest_paths", message: "grid must be in 2…1024, got \(grid)") }
    guard maxDistance >= 1 else { throw CoreError.badArgument(op: "shortest_paths", message: "max_distance must be at least 1, got \(maxDistance)") }
    guard obstacles >= 0, obstacles <= 0.9 else {
        throw CoreError.badArgument(op: "shortest_paths", message: "obstacles must be in [0, 0.9], got \(obstacles)")
    }
    let cells = grid * grid
    _ = try Tensor<Float>.elementCount(of: [count, 2, grid, grid], op: "shortest_paths")
    var x = [Float](repeating: 0, count: count * 2 * cells)
    var y = [Float](repeating: 0, count: count * cells)
    for n in 0..<count {
        while true {
            let p = rng.nextInt(below: cells)
            let (pr, pc) = (p / grid, p % grid)
            // Cells within Chebyshev distance maxDistance of P, P excluded, inside the grid.
            var candidates: [Int] = []
            for r in Swift.max(0, pr - maxDistance)...Swift.min(grid - 1, pr + maxDistance) {
                for c in Swift.max(0, pc - maxDistance)...Swift.min(grid - 1, pc + maxDistance) where r != pr || c != pc {
                    candidates.append(r * grid + c)
                }
            }
            let q = candidates[rng.nextInt(below: candidates.count)]
            var blocked = [Bool](repeating: false, count: cells)
            for i in 0..<cells where i != p && i != q { blocked[i] = rng.nextDouble() < obstacles }
            guard let label = ShortestPathLabels.onShortestPath(grid: grid, blocked: blocked, from: p, to: q) else { continue }
            let base = n * 2 * cells
            x[base + p] = 1
            x[base + q] = 1
            for i in 0..<cells where blocked[i] { x[base + cells + i] = 1 }
            for i in 0..<cells where label[i] { y[n * cells + i] = 1 }
            break
        }
    }
    return try Dataset(x: Tensor(uncheckedShape: [count, 2, grid, grid], scalars: x),
                   y: Tensor(uncheckedShape: [count, 1, grid, grid], scalars: y))
}

/// BFS distances on a grid and the cells on some shortest path.
public enum ShortestPathLabels {
    /// 4-connected BFS distances from `start` over free cells (-1 where unreachable).
    public static func distances(grid: Int, blocked: [Bool], from start: Int) -> [Int] {
        var d = [Int](repeating: -1, count: grid * grid)
        var queue = [start]
        d[start] = 0
        var head = 0
        while head < queue.count {
            let v = queue[head]
            head += 1
            let (r, c) = (v / grid, v % grid)
            for (dr, dc) in [(-1, 0), (1, 0), (0, -1), (0, 1)] {
                let (nr, nc) = (r + dr, c + dc)
                guard nr >= 0, nr < grid, nc >= 0, nc < grid else { continue }
                let u = nr * grid + nc
                if !blocked[u] && d[u] < 0 { d[u] = d[v] + 1; queue.append(u) }
            }
        }
        return d
    }

    /// label[x] = x free and d_P(x) + d_Q(x) = d_P(Q); nil when Q cannot be reached from P.
    public static func onShortestPath(grid: Int, blocked: [Bool], from p: Int, to q: Int) -> [Bool]? {
        let dp = distances(grid: grid, blocked: blocked, from: p), dq = distances(grid: grid, blocked: blocked, from: q)
        guard dp[q] > 0 else { return nil }
        return (0..<(grid * grid)).map { !blocked[$0] && dp[$0] >= 0 && dq[$0] >= 0 && dp[$0] + dq[$0] == dp[q] }
    }
}
