package dev.gatehouse.edge.agent;

import com.pi4j.context.Context;
import dev.gatehouse.edge.config.EdgeConfig;
import dev.gatehouse.edge.reader.Reader;

/** Where the agent's GPIO and readers come from: a Raspberry Pi, or the hardware simulator. */
public interface Hardware extends AutoCloseable {
    /** The Pi4J context the door relays, contacts and REX buttons are created on. */
    Context gpio();

    /** The reader adapter for one configured reader. */
    Reader reader(EdgeConfig.Reader reader);

    /** Whether the system says its clock has been synchronised with a time server (NTP) since boot. */
    boolean clockSynchronised();

    /** What {@link #clockSynchronised} asks, for status: "systemd-timesyncd (/run/…/synchronized)". */
    String clockSyncSource();

    /** A short name for status output: "raspberry-pi" or "simulated". */
    String kind();

    @Override
    void close();
}
