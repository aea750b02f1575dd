package dev.gatehouse.sim.av;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.eclipse.milo.opcua.sdk.client.OpcUaClient;
import org.eclipse.milo.opcua.stack.core.AttributeId;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.StatusCodes;
import org.eclipse.milo.opcua.stack.core.UaException;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.ExpandedNodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;
import org.eclipse.milo.opcua.stack.core.types.builtin.QualifiedName;
import org.eclipse.milo.opcua.stack.core.types.builtin.StatusCode;
import org.eclipse.milo.opcua.stack.core.types.builtin.Variant;
import org.eclipse.milo.opcua.stack.core.types.enumerated.TimestampsToReturn;
import org.eclipse.milo.opcua.stack.core.types.structured.ReadValueId;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The simulated room controller seen through a real OPC UA client (Eclipse Milo, SecurityPolicy
 * None, loopback), as the edge agent sees it: the documented node ids, their types and access, and
 * the faults a test can inject. One server for the class (it takes a second or more to start).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SimRoomControllerTest {
    private static final String ROOM = "room-1";
    private static final String VARIANT = "room-2";

    private SimRoomController controller;
    private OpcUaClient client;
    private final List<String> applied = new CopyOnWriteArrayList<>();

    @BeforeAll
    void start() throws UaException {
        controller = SimRoomController.start(List.of(
                SimRoom.standard(ROOM),
                SimRoom.standard(VARIANT)
                        .with(AvPoint.LIGHTS_LEVEL, PointType.INT32)
                        .with(AvPoint.DISPLAY_INPUT, PointType.UINT32)
                        .with(AvPoint.HVAC_SETPOINT, PointType.FLOAT)
                        .without(AvPoint.JOIN_LINK)));
        controller.onWrite((room, point, value, nanos) -> applied.add(room + " " + point + "=" + value));
        client = OpcUaClient.create(controller.endpointUrl());
        client.connect();
    }

    @AfterAll
    void stop() throws UaException {
        client.disconnect();
        controller.close();
    }

    @BeforeEach
    void standby() {
        for (AvPoint point : List.of(AvPoint.values())) {
            controller.failWrites(ROOM, point, WriteFault.NONE);
        }
        controller.set(ROOM, AvPoint.DISPLAY_POWER, false);
        controller.set(ROOM, AvPoint.LIGHTS_LEVEL, 0);
        applied.clear();
    }

    private NodeId node(String room, AvPoint point) {
        return NodeId.parse(controller.nodeId(room, point).orElseThrow());
    }

    private StatusCode write(String room, AvPoint point, Object value) throws UaException {
        return client.writeValues(List.of(node(room, point)), List.of(DataValue.valueOnly(new Variant(value))))
                .getFirst();
    }

    private Object read(String room, AvPoint point) throws UaException {
        return client.readValue(0, TimestampsToReturn.Neither, node(room, point))
                .value()
                .value();
    }

    private NodeId dataType(NodeId node) throws UaException {
        DataValue value = client.read(
                        0,
                        TimestampsToReturn.Neither,
                        List.of(new ReadValueId(node, AttributeId.DataType.uid(), null, QualifiedName.NULL_VALUE)))
                .getResults()[0];
        return (NodeId) value.value().value();
    }

    @Nested
    class AddressSpace {
        @ParameterizedTest(name = "{0}")
        @EnumSource(AvPoint.class)
        void everyPointHasItsDocumentedNodeIdAndDefaultType(AvPoint point) throws UaException {
            // Why: hardware-sim/README.md documents these node ids as the default mapping; a renamed
            // folder or a changed type would break every site configured from it.
            NodeId expectedType =
                    switch (point) {
                        case DISPLAY_POWER, PRESENCE -> NodeIds.Boolean;
                        case DISPLAY_INPUT, JOIN_LINK -> NodeIds.String;
                        case LIGHTS_LEVEL, HVAC_SETPOINT -> NodeIds.Double;
                    };

            assertThat(controller.nodeId(ROOM, point)).contains("ns=2;s=room-1/" + point.path());
            assertThat(dataType(node(ROOM, point))).isEqualTo(expectedType);
        }

        @Test
        void theNamespaceUriFormResolvesToTheSameNode() throws UaException {
            // Why: a controller's namespace index may change between firmware versions; its URI does not.
            NodeId resolved = ExpandedNodeId.parse(controller
                            .expandedNodeId(ROOM, AvPoint.DISPLAY_POWER)
                            .orElseThrow())
                    .toNodeIdOrThrow(client.getNamespaceTable());

            assertThat(resolved).isEqualTo(node(ROOM, AvPoint.DISPLAY_POWER));
        }

        @Test
        void aRoomMayChooseItsPointsTypes() throws UaException {
            // Why: real controllers differ (lights as Int32, inputs as numbers); the client must read types.
            assertThat(dataType(node(VARIANT, AvPoint.LIGHTS_LEVEL))).isEqualTo(NodeIds.Int32);
            assertThat(dataType(node(VARIANT, AvPoint.DISPLAY_INPUT))).isEqualTo(NodeIds.UInt32);
            assertThat(dataType(node(VARIANT, AvPoint.HVAC_SETPOINT))).isEqualTo(NodeIds.Float);
        }

        @Test
        void aPointTheRoomLacksHasNoNode() throws UaException {
            // Why: every function is optional; a mapping to a missing node must fail visibly.
            assertThat(controller.nodeId(VARIANT, AvPoint.JOIN_LINK)).isEmpty();
            DataValue value = client.readValue(
                    0, TimestampsToReturn.Neither, NodeId.parse("ns=2;s=room-2/" + AvPoint.JOIN_LINK.path()));

            assertThat(value.statusCode().value()).isEqualTo(StatusCodes.Bad_NodeIdUnknown);
        }

        @Test
        void anUnknownRoomIsRefusedWithItsName() {
            assertThatThrownBy(() -> controller.value("room-9", AvPoint.DISPLAY_POWER))
                    .isInstanceOf(SimAvException.class)
                    .hasMessageContaining("room-9");
        }
    }

    @Nested
    class Writes {
        @Test
        void aWriteIsAppliedReadBackAndReported() throws UaException {
            assertThat(write(ROOM, AvPoint.DISPLAY_POWER, true).isGood()).isTrue();

            assertThat(read(ROOM, AvPoint.DISPLAY_POWER)).isEqualTo(true);
            assertThat(controller.value(ROOM, AvPoint.DISPLAY_POWER)).isEqualTo(true);
            assertThat(applied).containsExactly("room-1 DISPLAY_POWER=true");
        }

        @Test
        void aValueOfTheWrongTypeIsRefused() throws UaException {
            // Why: a client that ignores the node's type (a Double to an Int32 node) must fail here as on site.
            assertThat(write(VARIANT, AvPoint.LIGHTS_LEVEL, 80.0).value()).isEqualTo(StatusCodes.Bad_TypeMismatch);
            assertThat(write(VARIANT, AvPoint.LIGHTS_LEVEL, 80).isGood()).isTrue();
            assertThat(controller.value(VARIANT, AvPoint.LIGHTS_LEVEL)).isEqualTo(80);
        }

        @Test
        void aLevelOutOfRangeIsRefused() throws UaException {
            assertThat(write(ROOM, AvPoint.LIGHTS_LEVEL, 101.0).value()).isEqualTo(StatusCodes.Bad_OutOfRange);
            assertThat(write(ROOM, AvPoint.HVAC_SETPOINT, 40.0).value()).isEqualTo(StatusCodes.Bad_OutOfRange);
            assertThat(controller.value(ROOM, AvPoint.LIGHTS_LEVEL)).isEqualTo(0.0);
        }

        @Test
        void thePresenceSensorIsReadOnlyToClientsAndDrivenByTheTest() throws UaException {
            assertThat(write(ROOM, AvPoint.PRESENCE, true).isBad()).isTrue();

            controller.setPresence(ROOM, true);

            assertThat(read(ROOM, AvPoint.PRESENCE)).isEqualTo(true);
            controller.setPresence(ROOM, false);
        }

        @Test
        void aLocalChangeIsSeenByClientsButNotReportedAsAWrite() throws UaException {
            // Why: someone at the wall panel changes the room without the agent.
            controller.set(ROOM, AvPoint.LIGHTS_LEVEL, 35);

            assertThat(read(ROOM, AvPoint.LIGHTS_LEVEL)).isEqualTo(35.0);
            assertThat(applied).isEmpty();
        }
    }

    @Nested
    class Faults {
        @Test
        void aRefusingPointAnswersBadNotWritableAndKeepsItsValue() throws UaException {
            controller.failWrites(ROOM, AvPoint.DISPLAY_POWER, WriteFault.REFUSE);

            assertThat(write(ROOM, AvPoint.DISPLAY_POWER, true).value()).isEqualTo(StatusCodes.Bad_NotWritable);
            assertThat(read(ROOM, AvPoint.DISPLAY_POWER)).isEqualTo(false);
        }

        @Test
        void anIgnoringPointAnswersGoodButOnlyAReadBackShowsTheValueDidNotStick() throws UaException {
            controller.failWrites(ROOM, AvPoint.DISPLAY_POWER, WriteFault.IGNORE);

            assertThat(write(ROOM, AvPoint.DISPLAY_POWER, true).isGood()).isTrue();
            assertThat(read(ROOM, AvPoint.DISPLAY_POWER)).isEqualTo(false);
            assertThat(applied).isEmpty();
        }

        @Test
        void aFaultForTheNextWritesHealsAfterThemAndEveryWriteIsCounted() throws UaException {
            // Why: retries are tested against a point that fails a given number of times, then works.
            int before = controller.writes(ROOM, AvPoint.LIGHTS_LEVEL);
            controller.failNextWrites(ROOM, AvPoint.LIGHTS_LEVEL, WriteFault.REFUSE, 2);

            assertThat(write(ROOM, AvPoint.LIGHTS_LEVEL, 80.0).isBad()).isTrue();
            assertThat(write(ROOM, AvPoint.LIGHTS_LEVEL, 80.0).isBad()).isTrue();
            assertThat(write(ROOM, AvPoint.LIGHTS_LEVEL, 80.0).isGood()).isTrue();

            assertThat(controller.value(ROOM, AvPoint.LIGHTS_LEVEL)).isEqualTo(80.0);
            assertThat(controller.writes(ROOM, AvPoint.LIGHTS_LEVEL) - before).isEqualTo(3);
        }
    }

    @Test
    void aSecondControllerStartsBesideTheFirstOnAnotherPort() {
        try (SimRoomController other = SimRoomController.start(List.of(SimRoom.standard(ROOM)))) {
            assertThat(other.endpointUrl()).isNotEqualTo(controller.endpointUrl());
            assertThat(other.value(ROOM, AvPoint.DISPLAY_POWER)).isEqualTo(false);
        }
    }

    @Test
    void aPointCannotHaveATypeThatMakesNoSense() {
        assertThatThrownBy(() -> SimRoom.standard("x").with(AvPoint.JOIN_LINK, PointType.DOUBLE))
                .isInstanceOf(SimAvException.class)
                .hasMessageContaining("JOIN_LINK");
    }
}
