package dev.gatehouse.protocol.message;

import dev.gatehouse.protocol.Ids;
import dev.gatehouse.protocol.model.Checks;
import dev.gatehouse.protocol.model.Entity;
import dev.gatehouse.protocol.model.EntityKind;

/** One entry of a site's change log: an entity written (upsert) or deleted (remove). */
public sealed interface Change permits Change.Upsert, Change.Remove {
    EntityKind kind();

    String key();

    /** Insert or replace the entity with this kind and key. */
    record Upsert(Entity entity) implements Change {
        public Upsert {
            Checks.present(entity, "upsert entity");
        }

        @Override
        public EntityKind kind() {
            return entity.kind();
        }

        @Override
        public String key() {
            return entity.key();
        }
    }

    /** Delete the entity with this kind and key; removing an absent entity is harmless. */
    record Remove(EntityKind kind, String key) implements Change {
        public Remove {
            Checks.present(kind, "remove kind");
            Ids.require(key, "remove id");
        }
    }
}
