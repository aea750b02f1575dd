package dev.gatehouse.sim.av;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.eclipse.milo.opcua.sdk.core.AccessLevel;
import org.eclipse.milo.opcua.sdk.core.Reference;
import org.eclipse.milo.opcua.sdk.server.ManagedNamespaceWithLifecycle;
import org.eclipse.milo.opcua.sdk.server.OpcUaServer;
import org.eclipse.milo.opcua.sdk.server.items.DataItem;
import org.eclipse.milo.opcua.sdk.server.items.MonitoredItem;
import org.eclipse.milo.opcua.sdk.server.nodes.UaFolderNode;
import org.eclipse.milo.opcua.sdk.server.nodes.UaVariableNode;
import org.eclipse.milo.opcua.sdk.server.util.SubscriptionModel;
import org.eclipse.milo.opcua.stack.core.NodeIds;
import org.eclipse.milo.opcua.stack.core.types.builtin.DataValue;
import org.eclipse.milo.opcua.stack.core.types.builtin.LocalizedText;
import org.eclipse.milo.opcua.stack.core.types.builtin.NodeId;

/**
 * The controller's address space: {@code Objects/<room>/Display|Lighting|Climate|Sensors/<point>},
 * every node id a string {@code <room>/<path>} in {@link SimRoomController#NAMESPACE_URI}.
 */
final class RoomNamespace extends ManagedNamespaceWithLifecycle {
    private final List<SimRoom> rooms;
    private final Map<String, SimPoint> points = new ConcurrentHashMap<>();
    private final SubscriptionModel subscriptions;
    private volatile SimPoint.Applied applied = (room, point, value, nanos) -> {};

    RoomNamespace(OpcUaServer server, List<SimRoom> rooms) {
        super(server, SimRoomController.NAMESPACE_URI);
        this.rooms = rooms;
        this.subscriptions = new SubscriptionModel(server, this);
        getLifecycleManager().addLifecycle(subscriptions);
        getLifecycleManager().addStartupTask(this::addNodes);
    }

    void onWrite(SimPoint.Applied listener) {
        this.applied = listener;
    }

    String nodeIdText(String room, AvPoint point) {
        return "ns=" + getNamespaceIndex() + ";s=" + room + "/" + point.path();
    }

    SimPoint point(String room, AvPoint point) {
        SimPoint found = points.get(room + "/" + point.path());
        if (found == null) {
            throw new SimAvException(
                    SimAvError.UNKNOWN_POINT, "the controller has no " + point + " in room '" + room + "'");
        }
        return found;
    }

    private void addNodes() {
        for (SimRoom room : rooms) {
            UaFolderNode roomFolder = folder(room.id(), room.id());
            roomFolder.addReference(
                    new Reference(roomFolder.getNodeId(), NodeIds.Organizes, NodeIds.ObjectsFolder.expanded(), false));
            Map<String, UaFolderNode> groups = new java.util.HashMap<>();
            for (AvPoint point : AvPoint.values()) {
                PointType type = room.points().get(point);
                if (type == null) {
                    continue;
                }
                String group = point.path().substring(0, point.path().indexOf('/'));
                UaFolderNode groupFolder = groups.computeIfAbsent(group, name -> {
                    UaFolderNode folder = folder(room.id() + "/" + name, name);
                    roomFolder.addOrganizes(folder);
                    return folder;
                });
                String id = room.id() + "/" + point.path();
                String name = point.path().substring(point.path().indexOf('/') + 1);
                SimPoint simPoint = new SimPoint(
                        room.id(), point, type, (r, p, value, nanos) -> applied.written(r, p, value, nanos));
                UaVariableNode node = new UaVariableNode.UaVariableNodeBuilder(getNodeContext())
                        .setNodeId(newNodeId(id))
                        .setBrowseName(newQualifiedName(name))
                        .setDisplayName(LocalizedText.english(name))
                        .setDescription(LocalizedText.english(simPoint.describe()))
                        .setDataType(simPoint.dataType())
                        .setTypeDefinition(NodeIds.BaseDataVariableType)
                        .setAccessLevel(point.writable() ? AccessLevel.READ_WRITE : AccessLevel.READ_ONLY)
                        .setUserAccessLevel(point.writable() ? AccessLevel.READ_WRITE : AccessLevel.READ_ONLY)
                        .setValue(new DataValue(simPoint.initialVariant()))
                        .build();
                node.getFilterChain().addLast(simPoint);
                simPoint.attach(node);
                getNodeManager().addNode(node);
                groupFolder.addOrganizes(node);
                points.put(id, simPoint);
            }
        }
    }

    @Override
    public void onDataItemsCreated(List<DataItem> items) {
        subscriptions.onDataItemsCreated(items);
    }

    @Override
    public void onDataItemsModified(List<DataItem> items) {
        subscriptions.onDataItemsModified(items);
    }

    @Override
    public void onDataItemsDeleted(List<DataItem> items) {
        subscriptions.onDataItemsDeleted(items);
    }

    @Override
    public void onMonitoringModeChanged(List<MonitoredItem> items) {
        subscriptions.onMonitoringModeChanged(items);
    }

    private UaFolderNode folder(String id, String name) {
        NodeId nodeId = newNodeId(id);
        UaFolderNode folder =
                new UaFolderNode(getNodeContext(), nodeId, newQualifiedName(name), LocalizedText.english(name));
        getNodeManager().addNode(folder);
        return folder;
    }
}
