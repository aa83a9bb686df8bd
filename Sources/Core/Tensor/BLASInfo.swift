// Which BLAS the numbers come from, for run logs and bug reports.
import CBLAS

/// OpenBLAS's own description of its build, e.g. "OpenBLAS 0.3.21 DYNAMIC_ARCH NO_AFFINITY Haswell MAX_THREADS=64".
public var blasVersion: String {
    guard let config = openblas_get_config() else { return "OpenBLAS" }
    return String(cString: config)
}
