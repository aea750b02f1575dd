package dev.gatehouse.protocol.topic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.gatehouse.protocol.ProtocolError;
import dev.gatehouse.protocol.ProtocolException;
import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Nested;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Topics address edges on a broker shared by every tenant. A topic that parses loosely lets one
 * device's message be taken for another's, and a wildcard that slips into a concrete topic turns a
 * publish for one door into a subscription to all of them.
 */
class TopicTest {
    private static final String SIXTY_FOUR = "a".repeat(64);

    private static void assertBadTopic(String topic, String... mentions) {
        assertThatThrownBy(() -> Topic.parse(topic))
                .as("parsing %s", topic)
                .isInstanceOfSatisfying(ProtocolException.class, e -> {
                    assertThat(e.error()).as(e.getMessage()).isEqualTo(ProtocolError.BAD_TOPIC);
                    assertThat(e.getMessage()).isNotBlank();
                    for (String mention : mentions) {
                        assertThat(e.getMessage()).contains(mention);
                    }
                });
    }

    /** MQTT topic filter matching ({@code +} one level, {@code #} the rest), to check what a filter reaches. */
    static boolean matches(String filter, String topic) {
        String[] want = filter.split("/", -1);
        String[] have = topic.split("/", -1);
        for (int i = 0; i < want.length; i++) {
            if (want[i].equals("#")) {
                return true;
            }
            if (i >= have.length || !(want[i].equals("+") || want[i].equals(have[i]))) {
                return false;
            }
        }
        return want.length == have.length;
    }

    @Nested
    class BuildAndParse {
        @ParameterizedTest
        @EnumSource(Channel.class)
        void aBuiltTopicParsesBackToItselfForEveryChannel(Channel channel) {
            // The edge builds topics and the hub parses them (and the other way round): both
            // directions must agree on every channel.
            Topic topic = Topic.of("acme", "hq-berlin", "edge-01", channel);

            assertThat(topic.value()).isEqualTo("gh/v1/acme/hq-berlin/edge-01/" + channel.level());
            assertThat(Topic.parse(topic.value())).isEqualTo(topic);
            assertThat(Topic.parse(topic.value()).channel()).isSameAs(channel);
        }

        @Test
        void levelsOfSixtyFourCharactersAreAccepted() {
            // 64 is the documented limit, so the longest ids must still round-trip.
            Topic topic = Topic.of(SIXTY_FOUR, SIXTY_FOUR, SIXTY_FOUR, Channel.COMMAND_ACK);

            assertThat(Topic.parse(topic.value())).isEqualTo(topic);
            assertThat(topic.value().length()).isLessThanOrEqualTo(Topic.MAX_LENGTH);
        }

        @Test
        void everyChannelHasItsOwnLevel() {
            // Two channels on one level would route one kind of message to the other's handler.
            assertThat(Arrays.stream(Channel.values()).map(Channel::level)).doesNotHaveDuplicates();
        }

        @Test
        void buildingATopicValidatesItsLevelsToo() {
            // A concrete topic is built from ids that came over the wire; building must be as
            // strict as parsing, or a '+' in a device id would become a subscription.
            assertThatThrownBy(() -> Topic.of("acme", "hq-berlin", "edge+01", Channel.EVENTS))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.error()).isEqualTo(ProtocolError.BAD_TOPIC);
                        assertThat(e.getMessage()).contains("device");
                    });
        }
    }

    @Nested
    class ParseRejects {
        static Stream<Arguments> wildcards() {
            return Stream.of(
                    Arguments.of("+/v1/acme/hq-berlin/edge-01/events", "'+/v1"),
                    Arguments.of("gh/+/acme/hq-berlin/edge-01/events", "'+' is not a supported protocol version"),
                    Arguments.of("gh/v1/+/hq-berlin/edge-01/events", "tenant"),
                    Arguments.of("gh/v1/acme/+/edge-01/events", "site"),
                    Arguments.of("gh/v1/acme/hq-berlin/+/events", "device"),
                    Arguments.of("gh/v1/acme/hq-berlin/edge-01/+", "'+' is not a known channel"),
                    Arguments.of("#/v1/acme/hq-berlin/edge-01/events", "'#/v1"),
                    Arguments.of("gh/#/acme/hq-berlin/edge-01/events", "'#' is not a supported protocol version"),
                    Arguments.of("gh/v1/#/hq-berlin/edge-01/events", "tenant"),
                    Arguments.of("gh/v1/acme/#/edge-01/events", "site"),
                    Arguments.of("gh/v1/acme/hq-berlin/#/events", "device"),
                    Arguments.of("gh/v1/acme/hq-berlin/edge-01/#", "'#' is not a known channel"),
                    Arguments.of("gh/v1/ac+me/hq-berlin/edge-01/events", "tenant"),
                    Arguments.of("gh/v1/acme/hq-berlin/edge-0#/events", "device"),
                    Arguments.of("gh/v1/acme/hq-berlin/#", "5 levels"));
        }

        @ParameterizedTest(name = "{0}")
        @MethodSource("wildcards")
        void aWildcardInAnyLevelIsRejected(String topic, String mention) {
            // Wildcards belong in filters only; a concrete topic with one is an attack or a bug.
            assertBadTopic(topic, mention);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "gh/v1//hq-berlin/edge-01/events",
                    "gh/v1/acme//edge-01/events",
                    "gh/v1/acme/hq-berlin//events",
                })
        void anEmptyLevelIsRejected(String topic) {
            assertBadTopic(topic, "level is empty");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "gh/v1/acme/hq-berlin/edge-01/",
                    "/gh/v1/acme/hq-berlin/edge-01/events",
                    "gh/v1/acme/hq-berlin/edge-01/events/",
                    "gh//v1/acme/hq-berlin/edge-01/events",
                    "/////",
                })
        void anEmptyLevelAtEitherEndOrBetweenTheFixedLevelsIsRejected(String topic) {
            // A leading or trailing slash makes a different MQTT topic: it must not parse as ours.
            assertBadTopic(topic);
        }

        @Test
        void aLevelOfSixtyFiveCharactersIsRejected() {
            String tooLong = "a".repeat(65);

            assertBadTopic("gh/v1/" + tooLong + "/hq-berlin/edge-01/events", "tenant", "65 characters");
            assertBadTopic("gh/v1/acme/" + tooLong + "/edge-01/events", "site", "65 characters");
            assertBadTopic("gh/v1/acme/hq-berlin/" + tooLong + "/events", "device", "65 characters");
        }

        @Test
        void aTopicLongerThanTheLimitIsRejectedBeforeSplitting() {
            assertBadTopic("gh/v1/acme/hq-berlin/edge-01/events" + "x".repeat(Topic.MAX_LENGTH), "the limit is");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "gh/v1/acmé/hq-berlin/edge-01/events",
                    "gh/v1/acme/hq-bérlin/edge-01/events",
                    "gh/v1/acme/hq-berlin/edge-🚪/events",
                    "gh/v1/acme/hq-berlin/edge\u000001/events",
                    "gh/v1/acme/hq-berlin/edge.01/events",
                })
        void aLevelOutsideTheIdAlphabetIsRejected(String topic) {
            // Non-ASCII look-alikes ("acmе" with a Cyrillic e) would otherwise be a second tenant.
            assertBadTopic(topic, "may only use A-Z, a-z, 0-9, '_' and '-'");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "gh/v1/acme/hq berlin/edge-01/events",
                    "gh/v1/acme/hq-berlin/edge-01/events ",
                    " gh/v1/acme/hq-berlin/edge-01/events",
                    "gh/v1/acme /hq-berlin/edge-01/events",
                })
        void spacesAreRejected(String topic) {
            assertBadTopic(topic);
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "gatehouse/v1/acme/hq-berlin/edge-01/events",
                    "GH/v1/acme/hq-berlin/edge-01/events",
                    "$SYS/v1/acme/hq-berlin/edge-01/events",
                })
        void anotherRootIsRejected(String topic) {
            assertBadTopic(topic, "does not start with 'gh/'");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "gh/v2/acme/hq-berlin/edge-01/events",
                    "gh/V1/acme/hq-berlin/edge-01/events",
                    "gh/v0/acme/hq-berlin/edge-01/events",
                    "gh/1/acme/hq-berlin/edge-01/events"
                })
        void anotherVersionIsRejected(String topic) {
            // A v2 edge must not be fed v1 messages or the other way round.
            assertBadTopic(topic, "not a supported protocol version", "v1");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(strings = {"telemetry", "Events", "event", "sync_request", "command"})
        void anUnknownChannelIsRejected(String channel) {
            assertBadTopic("gh/v1/acme/hq-berlin/edge-01/" + channel, "'" + channel + "' is not a known channel");
        }

        @ParameterizedTest(name = "{0}")
        @ValueSource(
                strings = {
                    "gh",
                    "gh/v1",
                    "gh/v1/acme/hq-berlin/events",
                    "gh/v1/acme/hq-berlin/edge-01/events/extra",
                    "gh/v1/acme/hq-berlin/edge-01/room-2a/events",
                    "$share/hub/gh/v1/acme/hq-berlin/edge-01/events"
                })
        void tooFewOrTooManyLevelsAreRejected(String topic) {
            assertBadTopic(topic, "expected 6");
        }

        @Test
        void anEmptyOrNullTopicIsRejected() {
            // Paho may hand over an empty topic for some broker errors; that is a bad topic, not a crash.
            assertBadTopic("", "empty");
            assertBadTopic(null, "empty");
        }
    }

    @Nested
    class Filters {
        @Test
        void theEdgeInboxCoversEveryHubToEdgeChannelOfItsOwnDevice() {
            // An edge that misses a channel never hears its commands or sync batches.
            String inbox = TopicFilters.edgeInbox("acme", "hq-berlin", "edge-01");

            assertThat(inbox).isEqualTo("gh/v1/acme/hq-berlin/edge-01/+");
            for (Channel channel : Channel.values()) {
                if (channel.direction() == Channel.Direction.HUB_TO_EDGE) {
                    assertThat(matches(
                                    inbox,
                                    Topic.of("acme", "hq-berlin", "edge-01", channel)
                                            .value()))
                            .as(channel.level())
                            .isTrue();
                }
            }
        }

        @ParameterizedTest(name = "{0}/{1}/{2}")
        @MethodSource("idsThatLookLikeChannels")
        void theEdgeInboxNeverReachesAnotherDevice(String tenant, String site, String device) {
            // Ids may spell a channel name ("sync", "commands"); the inbox must still end in one
            // '+' at the channel level and never widen to another site's or device's commands.
            String inbox = TopicFilters.edgeInbox(tenant, site, device);

            assertThat(inbox).isEqualTo("gh/v1/" + tenant + "/" + site + "/" + device + "/+");
            assertThat(matches(
                            inbox,
                            Topic.of(tenant, site, "other-edge", Channel.COMMANDS)
                                    .value()))
                    .isFalse();
            assertThat(matches(
                            inbox,
                            Topic.of(tenant, "other-site", device, Channel.COMMANDS)
                                    .value()))
                    .isFalse();
            assertThat(matches(
                            inbox,
                            Topic.of("other-tenant", site, device, Channel.COMMANDS)
                                    .value()))
                    .isFalse();
        }

        static Stream<Arguments> idsThatLookLikeChannels() {
            return Stream.of(
                    Arguments.of("acme", "hq-berlin", "edge-01"),
                    Arguments.of("acme", "hq-berlin", "sync"),
                    Arguments.of("acme", "sync", "edge-01"),
                    Arguments.of("sync", "sync", "sync"),
                    Arguments.of("acme", "hq-berlin", "sync-edge"),
                    Arguments.of("acme", "sync-hall", "edge-01"));
        }

        @Test
        void theEdgeInboxRejectsWildcardsInItsIds() {
            // Otherwise edgeInbox("+", "+", "+") would subscribe one edge to every tenant's commands.
            assertThatThrownBy(() -> TopicFilters.edgeInbox("+", "hq-berlin", "edge-01"))
                    .isInstanceOfSatisfying(
                            ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_TOPIC));
            assertThatThrownBy(() -> TopicFilters.edgeInbox("acme", "hq-berlin", "#"))
                    .isInstanceOfSatisfying(
                            ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_TOPIC));
        }

        @ParameterizedTest
        @EnumSource(
                value = Channel.class,
                names = {"SYNC_REQUEST", "EVENTS", "STATE", "COMMAND_ACK"})
        void theHubSharesEachEdgeToHubChannelAcrossAllTenants(Channel channel) {
            // Several hub processes split the load; each must see every edge's messages on the channel.
            String filter = TopicFilters.hubShared("hub", channel);

            assertThat(channel.direction()).isEqualTo(Channel.Direction.EDGE_TO_HUB);
            assertThat(filter).isEqualTo("$share/hub/gh/v1/+/+/+/" + channel.level());
            String subscribed = filter.substring("$share/hub/".length());
            assertThat(matches(
                            subscribed,
                            Topic.of("acme", "hq-berlin", "edge-01", channel).value()))
                    .isTrue();
            assertThat(matches(
                            subscribed,
                            Topic.of("globex", "lisbon", "edge-07", channel).value()))
                    .isTrue();
        }

        @ParameterizedTest
        @EnumSource(
                value = Channel.class,
                names = {"SYNC", "SNAPSHOT", "EVENT_ACK", "COMMANDS", "TIME"})
        void theHubDoesNotSubscribeToAHubToEdgeChannel(Channel channel) {
            // The hub listening to its own commands would ack and re-handle them.
            assertThat(channel.direction()).isEqualTo(Channel.Direction.HUB_TO_EDGE);
            assertThatThrownBy(() -> TopicFilters.hubShared("hub", channel))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> {
                        assertThat(e.error()).isEqualTo(ProtocolError.BAD_TOPIC);
                        assertThat(e.getMessage()).contains(channel.level());
                    });
            assertThatThrownBy(() -> TopicFilters.hubAll(channel))
                    .isInstanceOfSatisfying(
                            ProtocolException.class, e -> assertThat(e.error()).isEqualTo(ProtocolError.BAD_TOPIC));
        }

        @ParameterizedTest
        @EnumSource(
                value = Channel.class,
                names = {"SYNC_REQUEST", "EVENTS", "STATE", "COMMAND_ACK"})
        void aHubAloneOnItsBrokerSubscribesPlainlyToTheSameTopics(Channel channel) {
            String filter = TopicFilters.hubAll(channel);

            assertThat(filter).isEqualTo(TopicFilters.hubShared("hub", channel).substring("$share/hub/".length()));
            assertThat(matches(
                            filter,
                            Topic.of("acme", "hq-berlin", "edge-01", channel).value()))
                    .isTrue();
        }

        @Test
        void everyChannelIsInOneOfTheTwoDirectionTablesAbove() {
            // The two @EnumSource lists above name the channels by hand (five and four) and check their
            // direction; a tenth channel fails here until it is added to one of them.
            assertThat(Channel.values()).hasSize(5 + 4);
        }

        @ParameterizedTest
        @ValueSource(strings = {"hub/1", "+", "#", "", "hub group"})
        void aSharedSubscriptionGroupMustBeAnId(String group) {
            // The group is a topic level of the $share filter: a '/' or wildcard would change it.
            assertThatThrownBy(() -> TopicFilters.hubShared(group, Channel.EVENTS))
                    .isInstanceOfSatisfying(ProtocolException.class, e -> assertThat(e.getMessage())
                            .contains("shared subscription group"));
        }

        @Test
        void theDevicePatternLimitsADeviceToItsOwnDeviceLevel() {
            // The broker ACL: with %u replaced by the device id, a device reaches only its own topics.
            String pattern = TopicFilters.devicePattern();

            assertThat(pattern).isEqualTo("gh/v1/+/+/%u/#");
            String acl = pattern.replace("%u", "edge-01");
            assertThat(matches(
                            acl,
                            Topic.of("acme", "hq-berlin", "edge-01", Channel.COMMANDS)
                                    .value()))
                    .isTrue();
            assertThat(matches(
                            acl,
                            Topic.of("acme", "hq-berlin", "edge-02", Channel.COMMANDS)
                                    .value()))
                    .isFalse();
        }
    }
}
