package dev.gatehouse.sim.av;

/**
 * The OPC UA built-in data types a simulated point may have. Controllers differ here (lights as a
 * Double per cent or as an Int32, an input as a name or a number), so a room may choose, and the
 * client must read the type from the server rather than assume it.
 */
public enum PointType {
    BOOLEAN,
    INT32,
    UINT32,
    FLOAT,
    DOUBLE,
    STRING
}
