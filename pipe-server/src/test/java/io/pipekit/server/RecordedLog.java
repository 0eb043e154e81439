package io.pipekit.server;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * Records what the server logs (its {@code System.Logger} goes to java.util.logging by default),
 * down to debug level, while the test runs; closing it puts the logger back as it was.
 */
final class RecordedLog extends Handler implements AutoCloseable {
    private final Logger logger;
    private final Level previousLevel;
    private final List<LogRecord> records = new CopyOnWriteArrayList<>();

    RecordedLog(String loggerName) {
        logger = Logger.getLogger(loggerName);
        previousLevel = logger.getLevel();
        setLevel(Level.ALL);
        logger.setLevel(Level.ALL);
        logger.addHandler(this);
    }

    /** How many records at {@code level} contain {@code text}. */
    long count(Level level, String text) {
        return records.stream().filter(r -> r.getLevel().equals(level) && r.getMessage().contains(text)).count();
    }

    /** Every record so far, in order. */
    List<LogRecord> records() {
        return List.copyOf(records);
    }

    /** Every record so far, one per line, for failure messages. */
    String dump() {
        StringBuilder out = new StringBuilder();
        records.forEach(r -> out.append(r.getLevel()).append(' ').append(r.getMessage()).append('\n'));
        return out.toString();
    }

    @Override
    public void publish(LogRecord record) {
        records.add(record);
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
        logger.removeHandler(this);
        logger.setLevel(previousLevel);
    }
}
