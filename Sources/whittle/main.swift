// The whittle executable: reads the command line, then runs the driver on a large stack and exits with its status.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

Signals.install()
switch parseCommandLine(Array(CommandLine.arguments.dropFirst())) {
case .exit(let status, let out, let err):
    StandardStream.output.write(out)
    StandardStream.error.write(err)
    StandardStream.output.flush()
    exit(status)
case .run(let invocation):
    let terminal = Terminal.current()
    let status = runOnLargeStack { Driver(invocation: invocation, terminal: terminal).run() }
    StandardStream.output.flush()
    exit(status)
}
