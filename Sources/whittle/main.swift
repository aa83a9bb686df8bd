// The whittle executable: reads the command line, runs the driver and exits with its status.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Core

// Process-wide settings are made here, once, and handed down (the token through the Session).
ProcessTuning().apply()
Signals.install()
// Results written to a file or a pipe go out a line at a time (a terminal already is): a batch job
// killed at its time limit (SIGTERM from Slurm) or by the OOM killer keeps every line it printed,
// where block buffering lost them all. One write per printed line costs about a microsecond.
if isatty(1) == 0 { setvbuf(stdout, nil, _IOLBF, 0) }
switch parseCommandLine(Array(CommandLine.arguments.dropFirst())) {
case .exit(let status, let out, let err):
    StandardStream.output.write(out)
    StandardStream.error.write(err)
    StandardStream.output.flush()
    exit(status)
case .sweep(let request):
    Signals.becomeInterruptReceiver()
    let status = SweepDriver(request: request, terminal: Terminal.current()).run()
    StandardStream.output.flush()
    exit(status)
case .run(let invocation):
    let terminal = Terminal.current()
    // The Session evaluates on its own large-stack thread; this thread reads input and receives Ctrl-C.
    Signals.becomeInterruptReceiver()
    let status = Driver(invocation: invocation, terminal: terminal).run()
    StandardStream.output.flush()
    exit(status)
}
