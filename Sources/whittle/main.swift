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
