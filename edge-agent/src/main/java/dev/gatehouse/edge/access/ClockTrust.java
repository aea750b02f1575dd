package dev.gatehouse.edge.access;

import dev.gatehouse.protocol.model.ClockStatus;

/** Whether the edge may trust its clock right now (see the protocol spec, "Clock trust"). */
@FunctionalInterface
public interface ClockTrust {
    ClockStatus status();
}
