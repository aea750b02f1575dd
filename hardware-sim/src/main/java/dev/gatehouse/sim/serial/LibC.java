package dev.gatehouse.sim.serial;

import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.NativeLong;

/**
 * The few C library calls a pseudo-terminal needs (Linux, glibc or musl). Errors are read with
 * {@link Native#getLastError()} right after a call returns -1. Constants are the Linux values, which
 * are the same on x86-64 and arm64 (the machines this runs on: build hosts and Raspberry Pis).
 */
interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int O_RDWR = 2;
    int O_NOCTTY = 0x100;
    int O_NONBLOCK = 0x800;
    int O_CLOEXEC = 0x80000;
    int F_GETFL = 3;
    int F_SETFL = 4;
    int TCSANOW = 0;
    short POLLIN = 0x1;
    short POLLOUT = 0x4;
    int EINTR = 4;
    int EIO = 5;
    int EAGAIN = 11;

    /** Size of the buffer handed to the termios calls: larger than {@code struct termios} on every ABI. */
    int TERMIOS_BUFFER = 256;

    int posix_openpt(int flags);

    int grantpt(int fd);

    int unlockpt(int fd);

    int ptsname_r(int fd, byte[] buffer, NativeLong length);

    int open(String path, int flags);

    int close(int fd);

    int fcntl(int fd, int command, int argument);

    NativeLong read(int fd, byte[] buffer, NativeLong count);

    NativeLong write(int fd, byte[] buffer, NativeLong count);

    /** {@code fds} is an array of {@code struct pollfd} (int fd, short events, short revents), native order. */
    int poll(byte[] fds, NativeLong count, int timeoutMillis);

    int tcgetattr(int fd, byte[] termios);

    void cfmakeraw(byte[] termios);

    int tcsetattr(int fd, int actions, byte[] termios);

    String strerror(int errno);
}
