// Signal handling: Ctrl-C cancels the running command (three presses end the process); a closed pipe is not fatal; `fg` after Ctrl-Z is noticed.
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Runtime
import Synchronization

/// Installs the process's signal dispositions and remembers Ctrl-C presses.
///
/// The SIGINT handler only does async-signal-safe work: atomic stores on the cancellation
/// token and on a press counter. It is installed without `SA_RESTART`, so a `read` blocked at the
/// prompt returns `EINTR` and the line editor can clear the line.
enum Signals {
    /// The process's cancellation token, handed to the Session: the handler below cancels it (a
    /// signal handler cannot capture context, so the executable keeps it here).
    static let token = CancellationToken()

    /// Ctrl-C presses since the last `acknowledgeInterrupt()`.
    static let pressCount = Atomic<Int>(0)

    /// The thread that reads the terminal and runs commands (0 until `becomeInterruptReceiver`).
    static let receiver = Atomic<UInt>(0)
    /// The receiver is blocked reading input: only then is it woken (other waits need no EINTR).
    static let receiverIsReading = Atomic<Bool>(false)

    /// SIGCONT arrived (the job was resumed after Ctrl-Z) and the line editor has not yet restored its mode.
    static let continued = Atomic<Bool>(false)

    /// A self-pipe the SIGINT and SIGCONT handlers write a byte to. The line editor waits on it
    /// beside the terminal, so a signal that lands just before the editor blocks is still seen:
    /// relying on EINTR alone lost a SIGCONT that arrived between the prompt and the `read`, and
    /// the editor then sat in the shell's cooked mode without redrawing.
    static let wakeReadEnd = Atomic<Int32>(-1)
    static let wakeWriteEnd = Atomic<Int32>(-1)

    /// Presses after which a command that ignores cancellation is abandoned and the process exits.
    static let forcedExitPresses = 3

    /// Ignores SIGPIPE (writes then fail with EPIPE, see `StandardStream`) and handles SIGINT.
    static func install() {
        // Touch the lazily created globals now: the handler must not run their one-time initialisers.
        _ = token.isCancelled
        _ = pressCount.load(ordering: .relaxed)
        _ = receiver.load(ordering: .relaxed)
        _ = receiverIsReading.load(ordering: .relaxed)
        _ = continued.load(ordering: .relaxed)
        var ends: [Int32] = [-1, -1]
        if pipe(&ends) == 0 {
            for end in ends {
                _ = fcntl(end, F_SETFL, fcntl(end, F_GETFL) | O_NONBLOCK)
                _ = fcntl(end, F_SETFD, FD_CLOEXEC)
            }
            wakeReadEnd.store(ends[0], ordering: .relaxed)
            wakeWriteEnd.store(ends[1], ordering: .relaxed)
        }

        signal(SIGPIPE, SIG_IGN)
        var action = sigaction()
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = onInterrupt
        #else
        action.__sigaction_u.__sa_handler = onInterrupt
        #endif
        sigemptyset(&action.sa_mask)
        action.sa_flags = 0
        sigaction(SIGINT, &action, nil)

        // SIGUSR2 only wakes the receiving thread from a blocking read (EINTR); it does nothing else.
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = onWake
        #else
        action.__sigaction_u.__sa_handler = onWake
        #endif
        sigaction(SIGUSR2, &action, nil)

        // SIGCONT: the shell put its own terminal mode back while we were stopped; the editor must
        // restore raw mode and redraw (the blocked read returns EINTR, see `LineEditor`).
        #if canImport(Glibc)
        action.__sigaction_handler.sa_handler = onContinue
        #else
        action.__sigaction_u.__sa_handler = onContinue
        #endif
        sigaction(SIGCONT, &action, nil)
    }

    /// True once after each SIGCONT: the caller restores the terminal.
    static func takeContinued() -> Bool { continued.exchange(false, ordering: .relaxed) }

    /// Makes the calling thread the one whose blocking reads Ctrl-C interrupts. The kernel may deliver
    /// SIGINT to any thread that does not block it (OpenBLAS starts its own before `main`), so the
    /// handler forwards a wake-up to this one.
    static func becomeInterruptReceiver() {
        receiver.store(UInt(pthread_self()), ordering: .relaxed)
        // A parent may have left these blocked (test runners do); this thread must receive them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGUSR2)
        sigaddset(&set, SIGCONT)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// What `waitForInput` saw.
    enum Readiness { case readable, signalled, failed }

    /// Blocks until `descriptor` has input or a SIGINT / SIGCONT arrived (since the last call).
    /// On `.signalled` the caller checks `wasInterrupted` and `takeContinued()`.
    static func waitForInput(on descriptor: Int32) -> Readiness {
        let wake = wakeReadEnd.load(ordering: .relaxed)
        var fds = [pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0),
                   pollfd(fd: wake, events: Int16(POLLIN), revents: 0)]
        let count = poll(&fds, wake >= 0 ? 2 : 1, -1)
        if count < 0 { return errno == EINTR ? .signalled : .failed }
        if wake >= 0 && fds[1].revents != 0 {
            var sink = [UInt8](repeating: 0, count: 64)
            while sink.withUnsafeMutableBytes({ read(wake, $0.baseAddress, $0.count) }) > 0 {}
            return .signalled
        }
        return .readable
    }

    /// True when Ctrl-C was pressed since the last acknowledgement.
    static var wasInterrupted: Bool { pressCount.load(ordering: .relaxed) > 0 }

    /// Forgets earlier presses and clears the cancellation flag, before the next command runs.
    static func acknowledgeInterrupt() {
        pressCount.store(0, ordering: .relaxed)
        token.reset()
    }

    /// Runs a blocking read that Ctrl-C should cut short (it then fails with EINTR).
    static func interruptibleRead<T>(_ body: () -> T) -> T {
        receiverIsReading.store(true, ordering: .sequentiallyConsistent)
        defer { receiverIsReading.store(false, ordering: .sequentiallyConsistent) }
        return body()
    }
}

/// The SIGINT handler: cancel the running work; on the third press give up on it.
private func onInterrupt(_ signal: Int32) {
    Signals.token.cancel()
    let presses = Signals.pressCount.add(1, ordering: .relaxed).newValue
    wakeTheEditor()
    let receiver = Signals.receiver.load(ordering: .relaxed)
    if receiver != 0 && receiver != UInt(pthread_self()) && Signals.receiverIsReading.load(ordering: .relaxed) {
        pthread_kill(pthread_t(receiver), SIGUSR2)
    }
    if presses >= Signals.forcedExitPresses {
        let message: StaticString = "\nwhittle: interrupted three times, exiting\n"
        _ = write(2, message.utf8Start, message.utf8CodeUnitCount)
        _exit(130)
    }
}

/// The SIGCONT handler: remember it, and wake the reading thread when another thread got it.
private func onContinue(_ signal: Int32) {
    Signals.continued.store(true, ordering: .relaxed)
    wakeTheEditor()
    let receiver = Signals.receiver.load(ordering: .relaxed)
    if receiver != 0 && receiver != UInt(pthread_self()) && Signals.receiverIsReading.load(ordering: .relaxed) {
        pthread_kill(pthread_t(receiver), SIGUSR2)
    }
}

/// Writes a byte to the wake pipe, after the flag it announces is set (async-signal-safe; errno kept).
private func wakeTheEditor() {
    let saved = errno
    let end = Signals.wakeWriteEnd.load(ordering: .relaxed)
    if end >= 0 {
        var byte: UInt8 = 1
        _ = write(end, &byte, 1)
    }
    errno = saved
}

/// The SIGUSR2 handler: nothing to do; its only effect is the EINTR of the interrupted read.
private func onWake(_ signal: Int32) {}
