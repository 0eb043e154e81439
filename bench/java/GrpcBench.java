import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerServiceDefinition;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.ServerCalls;
import io.grpc.stub.StreamObserver;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.pipekit.netty.PipeChannelOption;
import io.pipekit.netty.PipeNetty;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * gRPC over three transports with the same grpc-java server and client in one JVM (issue 27's
 * benchmark): pipe-netty's channels on a Unix socket ({@code pipe}), Netty's NIO TCP on loopback
 * ({@code tcp}) and Netty's own epoll domain-socket channels ({@code epoll-uds}).
 *
 * <pre>
 * java GrpcBench TRANSPORT SOCKET unary CONCURRENCY CALLS WARM_CALLS
 * java GrpcBench TRANSPORT SOCKET stream MESSAGE_BYTES TOTAL_BYTES WARM_STREAMS
 * </pre>
 *
 * Prints one JSON line: unary calls per second (CONCURRENCY calls kept outstanding, each echoing
 * 64 bytes), or the MB/s of a server stream of MESSAGE_BYTES messages (flow-controlled by the
 * client, as a real download is), each with the process's CPU time per call or per MB. Server and client each have an event loop group of one thread,
 * and run calls on it (directExecutor), the same for every transport: what differs is the channel.
 *
 * <p>The timed run measures the steady state, not the JIT at work: untimed batches of WARM_CALLS
 * calls (WARM_STREAMS downloads), the first included, go on until two windows in a row of at least
 * 200 ms (a window: one batch, or as many short ones as it takes) in which the JIT compiled for
 * under 1% of their time, or until
 * {@code -Dgrpcbench.maxWarmSeconds} (120 by default; 0: the first batch only, as a smoke run and
 * bench/run.sh's Wine cells have it by default). Timed straight after 20,000 calls, 32 outstanding
 * did 26,000–30,000 calls/s at 66–74 µs of CPU per call, of which the C2 compiler's threads took a good part;
 * settled, the same did about 50,000 at 21–24 µs. The JSON line says how long the warm-up was,
 * whether the JIT went quiet, and how many milliseconds it compiled for in the timed window.
 * Batches are judged in windows because a settled JVM makes them short: under Wine, 3,000 calls
 * with 32 outstanding took 110–120 ms, and while each batch was judged alone, a batch under
 * 200 ms never counted, so such a cell warmed up until the cap. HotSpot counts a compilation's
 * time when it ends, so one long compilation can span two quiet windows; the JIT time of the timed
 * window shows when that happened. (The
 * {@code grpcbench.phases} mode below keeps its fixed warm-up.)
 *
 * <p>On Windows the same runs with {@code pipe} (pipe-netty's named pipes; SOCKET is the pipe's
 * name) and {@code tcp}. Under Wine much of a pipe or socket operation's work is done by the
 * {@code wineserver} process, not by this one: with {@code -Dgrpcbench.wineserverStat=Z:\proc\PID\stat}
 * (its Linux {@code /proc} file, through Wine's drive of the Unix root) the JSON line also has the
 * wineserver's CPU time per call or per MB over the same timed window.
 */
public final class GrpcBench {
    private static final MethodDescriptor.Marshaller<byte[]> BYTES = new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
            return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
            try {
                return stream.readAllBytes();
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    };
    private static final MethodDescriptor<byte[], byte[]> ECHO = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY).setFullMethodName("bench.Bench/Echo")
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();
    private static final MethodDescriptor<byte[], byte[]> DOWNLOAD = MethodDescriptor.<byte[], byte[]>newBuilder()
            .setType(MethodDescriptor.MethodType.SERVER_STREAMING).setFullMethodName("bench.Bench/Download")
            .setRequestMarshaller(BYTES).setResponseMarshaller(BYTES).build();

    /** The wineserver's {@code /proc/PID/stat}, to read its CPU time from; null when not asked for. */
    private static final String WINESERVER_STAT = System.getProperty("grpcbench.wineserverStat");
    /** Linux's clock ticks per second in {@code /proc} (USER_HZ): 100 on every architecture Wine runs on. */
    private static final long TICKS_PER_SECOND = 100;

    /**
     * {@code REPS:SHORT:LONG} (calls, or stream bytes): after the warm-up, REPS pairs of a SHORT and
     * a LONG phase in place of the timed run, each phase between two marks in the wineserver's
     * trace (bench/wine_grpc_requests.sh); prints the JVM's CPU per call (or MB) per thread.
     */
    private static final String PHASES = System.getProperty("grpcbench.phases");

    /**
     * Named pipes only: the server's pipe buffers in bytes, in place of pipe-netty's default
     * (docs/netty.md's buffer row compares 64 KiB with the 1 MiB default this way); null: the default.
     */
    private static final Integer PIPE_BUFFER = Integer.getInteger("grpcbench.pipeBuffer");

    /** The longest a cell warms up waiting for the JIT to go quiet, in seconds; 0: only the warm-up asked for. */
    private static final int MAX_WARM_SECONDS = Integer.getInteger("grpcbench.maxWarmSeconds", 120);
    /** Two warm-up windows in a row in which the JIT compiled for less than this share of their time end the warm-up. */
    private static final double QUIET_JIT_SHARE = 0.01;
    /** A window's least length: shorter batches are judged together, as a very short one says nothing of the JIT. */
    private static final long MIN_QUIET_WINDOW_NANOS = 200_000_000;

    private GrpcBench() {
    }

    /** One warm-up batch: WARM_CALLS calls, or WARM_STREAMS downloads. */
    private interface Batch {
        void run() throws Exception;
    }

    /** How a cell warmed up: its batches and seconds, and whether the JIT went quiet before the timed run. */
    private record WarmUp(int batches, double seconds, boolean quiet) {
        String json() {
            return String.format(Locale.ROOT, ", \"warmBatches\": %d, \"warmSeconds\": %.1f, \"jitQuiet\": %s", batches, seconds, quiet);
        }
    }

    /**
     * Runs {@code batch} until two windows in a row, each of at least 200 ms (one run of it, or as
     * many runs as that takes), in which the JIT compiled for less than {@link #QUIET_JIT_SHARE}
     * of their time (one such window may be a lull between compilations), or until
     * {@link #MAX_WARM_SECONDS} have passed; once only when that is 0 or the JVM does not count
     * compilation time. {@code size} is the batch's calls or
     * downloads: none, no warm-up.
     */
    private static WarmUp warmUp(long size, Batch batch) throws Exception {
        if (size == 0) {
            return new WarmUp(0, 0, false);
        }
        boolean counted = jitMillis() >= 0;
        long start = System.nanoTime();
        int quietInARow = 0;
        long windowStart = start;
        long windowJit = jitMillis();
        for (int batches = 1; ; batches++) {
            batch.run();
            long now = System.nanoTime();
            if (now - windowStart >= MIN_QUIET_WINDOW_NANOS) {
                long jit = jitMillis();
                boolean quiet = counted && jit - windowJit < QUIET_JIT_SHARE * (now - windowStart) / 1e6;
                quietInARow = quiet ? quietInARow + 1 : 0;
                windowStart = now;
                windowJit = jit;
            }
            double seconds = (now - start) / 1e9;
            if (quietInARow == 2 || !counted || MAX_WARM_SECONDS == 0 || seconds >= MAX_WARM_SECONDS) {
                return new WarmUp(batches, seconds, quietInARow == 2);
            }
        }
    }

    /** The JIT's compilation time so far in milliseconds; -1 where the JVM does not count it. */
    private static long jitMillis() {
        java.lang.management.CompilationMXBean jit = ManagementFactory.getCompilationMXBean();
        return jit != null && jit.isCompilationTimeMonitoringSupported() ? jit.getTotalCompilationTime() : -1;
    }

    /** {@code , "jitMillisTimed": n}: what the JIT compiled for since {@code before} ({@link #jitMillis()} then); empty where it is not counted. */
    private static String jitField(long before) {
        return before < 0 ? "" : String.format(Locale.ROOT, ", \"jitMillisTimed\": %d", jitMillis() - before);
    }

    /** The phases of {@link #PHASES}: marks for the trace, and CPU by thread of the LONG minus SHORT phases. */
    private static String phases(ManagedChannel channel, String mode, long a, long warm) throws Exception {
        String[] p = PHASES.split(":");
        int reps = Integer.parseInt(p[0]);
        long[] sizes = {Long.parseLong(p[1]), Long.parseLong(p[2])};
        boolean unary = mode.equals("unary");
        if (unary) {
            unary(channel, (int) a, warm);
        } else {
            for (long i = 0; i < warm; i++) {
                download(channel, (int) a, sizes[1]);
            }
        }
        java.lang.management.ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        java.util.Map<String, Long> cpu = new java.util.TreeMap<>();
        for (int rep = 1; rep <= reps; rep++) {
            for (int i = 0; i < 2; i++) {
                String label = (i == 0 ? "short-" : "long-") + rep;
                java.util.Map<String, Long> before = threadCpu(threads);
                mark(mode + a + "-" + label + "-begin");
                if (unary) {
                    unary(channel, (int) a, sizes[i]);
                } else {
                    download(channel, (int) a, sizes[i]);
                }
                mark(mode + a + "-" + label + "-end");
                int sign = i == 0 ? -1 : 1;
                threadCpu(threads).forEach((name, nanos) -> cpu.merge(name, sign * (nanos - before.getOrDefault(name, 0L)), Long::sum));
            }
        }
        double units = reps * (sizes[1] - sizes[0]) / (unary ? 1.0 : 1e6);
        StringBuilder json = new StringBuilder("{\"mode\": \"" + mode + "\", \"a\": " + a + ", \"phases\": \"" + PHASES
                + "\", \"cpuMicrosPer" + (unary ? "Call" : "Megabyte") + "ByThread\": {");
        String sep = "";
        for (var e : cpu.entrySet()) {
            if (Math.abs(e.getValue() / 1e3 / units) >= 0.5) {
                json.append(sep).append(String.format(Locale.ROOT, "\"%s\": %.1f", e.getKey(), e.getValue() / 1e3 / units));
                sep = ", ";
            }
        }
        return json.append("}}").toString();
    }

    /** CPU time by thread name (threads of one name summed: gRPC's executors share theirs). */
    private static java.util.Map<String, Long> threadCpu(java.lang.management.ThreadMXBean threads) {
        java.util.Map<String, Long> cpu = new java.util.HashMap<>();
        for (java.lang.management.ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null) {
                long nanos = threads.getThreadCpuTime(info.getThreadId());
                if (nanos > 0) {
                    cpu.merge(info.getThreadName().replaceAll("-\\d+$", "-N"), nanos, Long::sum);
                }
            }
        }
        return cpu;
    }

    /** A mark in the wineserver's trace: a {@code create_event} request with this name, closed at once. */
    private static void mark(String label) {
        com.sun.jna.platform.win32.WinNT.HANDLE h = com.sun.jna.platform.win32.Kernel32.INSTANCE.CreateEvent(
                null, false, false, "grpcbench-mark-" + label);
        if (h != null) {
            com.sun.jna.platform.win32.Kernel32.INSTANCE.CloseHandle(h);
        }
    }

    public static void main(String[] args) throws Exception {
        String transport = args[0];
        String socket = args[1];
        String mode = args[2];
        long a = Long.parseLong(args[3]);
        long b = Long.parseLong(args[4]);
        long warm = Long.parseLong(args[5]);
        EventLoopGroup serverLoop = group(transport);
        EventLoopGroup clientLoop = group(transport);
        Server server = null;
        ManagedChannel channel = null;
        try {
            SocketAddress address = address(transport, socket);
            NettyServerBuilder serverBuilder = NettyServerBuilder.forAddress(address)
                    .channelType(serverChannel(transport))
                    .bossEventLoopGroup(serverLoop).workerEventLoopGroup(serverLoop)
                    .directExecutor()
                    .addService(service());
            if (PIPE_BUFFER != null && transport.equals("pipe")) {
                serverBuilder.withOption(PipeChannelOption.IN_BUFFER_SIZE, PIPE_BUFFER).withOption(PipeChannelOption.OUT_BUFFER_SIZE, PIPE_BUFFER);
            }
            server = serverBuilder.build().start();
            if (transport.equals("tcp")) {
                address = new InetSocketAddress("127.0.0.1", server.getPort());
            }
            channel = NettyChannelBuilder.forAddress(address)
                    .channelType(channel(transport))
                    .eventLoopGroup(clientLoop)
                    .directExecutor()
                    .overrideAuthority("localhost")
                    .usePlaintext()
                    .build();
            String result;
            if (PHASES != null) {
                result = phases(channel, mode, a, warm);
            } else if (mode.equals("unary")) {
                int concurrency = (int) a;
                ManagedChannel calls = channel;
                WarmUp warmUp = warmUp(warm, () -> unary(calls, concurrency, warm));
                long jit = jitMillis();
                long cpu = cpuNanos();
                long wineserverCpu = wineserverCpuNanos();
                long start = System.nanoTime();
                unary(channel, concurrency, b);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuMicros = (cpuNanos() - cpu) / 1e3;
                result = String.format(Locale.ROOT, "{\"mode\": \"unary\", \"concurrency\": %d, \"calls\": %d, \"callsPerSecond\": %.1f, "
                        + "\"cpuMicrosPerCall\": %.2f%s%s%s}", concurrency, b, b / seconds, cpuMicros / b,
                        wineserverField("cpuMicrosPerCall", wineserverCpu, b), warmUp.json(), jitField(jit));
            } else {
                int message = (int) a;
                ManagedChannel streams = channel;
                WarmUp warmUp = warmUp(warm, () -> {
                    for (long i = 0; i < warm; i++) {
                        download(streams, message, b);
                    }
                });
                long jit = jitMillis();
                long cpu = cpuNanos();
                long wineserverCpu = wineserverCpuNanos();
                long start = System.nanoTime();
                download(channel, message, b);
                double seconds = (System.nanoTime() - start) / 1e9;
                double cpuMicros = (cpuNanos() - cpu) / 1e3;
                result = String.format(Locale.ROOT, "{\"mode\": \"stream\", \"messageBytes\": %d, \"bytes\": %d, \"megabytesPerSecond\": %.1f, "
                        + "\"cpuMicrosPerMegabyte\": %.2f%s%s%s}", message, b, b / seconds / 1e6, cpuMicros / (b / 1e6),
                        wineserverField("cpuMicrosPerMegabyte", wineserverCpu, b / 1e6), warmUp.json(), jitField(jit));
            }
            System.out.println(result);
        } finally {
            if (channel != null) {
                channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            if (server != null) {
                server.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
            }
            clientLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
            serverLoop.shutdownGracefully(0, 1, TimeUnit.SECONDS).sync();
        }
    }

    /**
     * The CPU time the whole process has used: on a machine shared with other work the wall-clock
     * rate moves with the neighbours' load, the CPU spent per call much less.
     */
    private static long cpuNanos() {
        return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean()).getProcessCpuTime();
    }

    /** The wineserver's CPU time (user and system) so far, or 0 when it is not asked for. */
    private static long wineserverCpuNanos() throws IOException {
        if (WINESERVER_STAT == null) {
            return 0;
        }
        String stat = Files.readString(Path.of(WINESERVER_STAT));
        // After the command name in brackets: state is field 3, utime 14, stime 15 (proc(5)).
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        long ticks = Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
        return ticks * (1_000_000_000L / TICKS_PER_SECOND);
    }

    /** {@code , "wineserver<Field>": x}: the wineserver's CPU per unit since {@code before}; empty when not asked for. */
    private static String wineserverField(String field, long before, double units) throws IOException {
        if (WINESERVER_STAT == null) {
            return "";
        }
        double micros = (wineserverCpuNanos() - before) / 1e3;
        return String.format(Locale.ROOT, ", \"wineserver%s\": %.2f", Character.toUpperCase(field.charAt(0)) + field.substring(1), micros / units);
    }

    private static ServerServiceDefinition service() {
        return ServerServiceDefinition.builder("bench.Bench")
                .addMethod(ECHO, ServerCalls.asyncUnaryCall((request, responses) -> {
                    responses.onNext(request);
                    responses.onCompleted();
                }))
                .addMethod(DOWNLOAD, ServerCalls.asyncServerStreamingCall((request, responses) -> {
                    ByteBuffer asked = ByteBuffer.wrap(request);
                    byte[] chunk = new byte[asked.getInt()];
                    long total = asked.getLong();
                    ServerCallStreamObserver<byte[]> out = (ServerCallStreamObserver<byte[]>) responses;
                    AtomicLong sent = new AtomicLong();
                    out.setOnReadyHandler(() -> {
                        while (out.isReady() && sent.get() < total) {
                            out.onNext(chunk);
                            if (sent.addAndGet(chunk.length) >= total) {
                                out.onCompleted();
                            }
                        }
                    });
                }))
                .build();
    }

    /** {@code calls} echo calls, {@code concurrency} of them outstanding at any time. */
    private static void unary(ManagedChannel channel, int concurrency, long calls) throws InterruptedException {
        byte[] payload = new byte[64];
        AtomicLong started = new AtomicLong();
        CountDownLatch done = new CountDownLatch(concurrency);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        for (int i = 0; i < concurrency; i++) {
            new Object() {
                void next() {
                    if (started.incrementAndGet() > calls) {
                        done.countDown();
                        return;
                    }
                    ClientCalls.asyncUnaryCall(channel.newCall(ECHO, CallOptions.DEFAULT), payload, new StreamObserver<>() {
                        @Override
                        public void onNext(byte[] value) {
                        }

                        @Override
                        public void onError(Throwable t) {
                            failure.set(t);
                            done.countDown();
                        }

                        @Override
                        public void onCompleted() {
                            next();
                        }
                    });
                }
            }.next();
        }
        if (!done.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("calls did not finish");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
    }

    /** One server stream of {@code total} bytes in {@code message}-byte messages. */
    private static void download(ManagedChannel channel, int message, long total) throws InterruptedException {
        ByteBuffer request = ByteBuffer.allocate(12).putInt(message).putLong(total);
        AtomicLong received = new AtomicLong();
        CountDownLatch done = new CountDownLatch(1);
        AtomicReference<Throwable> failure = new AtomicReference<>();
        AtomicInteger messages = new AtomicInteger();
        ClientCalls.asyncServerStreamingCall(channel.newCall(DOWNLOAD, CallOptions.DEFAULT), request.array(), new StreamObserver<>() {
            @Override
            public void onNext(byte[] value) {
                received.addAndGet(value.length);
                messages.incrementAndGet();
            }

            @Override
            public void onError(Throwable t) {
                failure.set(t);
                done.countDown();
            }

            @Override
            public void onCompleted() {
                done.countDown();
            }
        });
        if (!done.await(600, TimeUnit.SECONDS)) {
            throw new IllegalStateException("the stream did not finish");
        }
        if (failure.get() != null) {
            throw new IllegalStateException(failure.get());
        }
        if (received.get() < total) {
            throw new IllegalStateException("received " + received.get() + " of " + total + " bytes");
        }
    }

    private static EventLoopGroup group(String transport) {
        switch (transport) {
            case "pipe":
                return PipeNetty.eventLoopGroup(1);
            case "tcp":
                return new NioEventLoopGroup(1);
            case "epoll-uds":
                return new EpollEventLoopGroup(1);
            default:
                throw new IllegalArgumentException("no transport " + transport + " (pipe, tcp, epoll-uds)");
        }
    }

    private static SocketAddress address(String transport, String socket) {
        switch (transport) {
            case "pipe":
                return PipeNetty.address(socket);
            case "tcp":
                return new InetSocketAddress("127.0.0.1", 0);
            default:
                return new DomainSocketAddress(socket);
        }
    }

    private static Class<? extends ServerChannel> serverChannel(String transport) {
        switch (transport) {
            case "pipe":
                return PipeNetty.serverChannelType();
            case "tcp":
                return NioServerSocketChannel.class;
            default:
                return EpollServerDomainSocketChannel.class;
        }
    }

    private static Class<? extends Channel> channel(String transport) {
        switch (transport) {
            case "pipe":
                return PipeNetty.channelType();
            case "tcp":
                return NioSocketChannel.class;
            default:
                return EpollDomainSocketChannel.class;
        }
    }
}
