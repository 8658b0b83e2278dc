package io.pivotplane.request.persistence;

import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.IdClass;
import jakarta.persistence.Table;
import java.io.Serializable;
import java.time.Instant;
import java.util.Objects;

/** A stored cluster profile version: its add-ons as JSON (the validated {@code ClusterProfileInput}'s). */
@Entity
@Table(name = "cluster_profile")
@IdClass(ProfileEntity.Key.class)
public class ProfileEntity {

    /** The profile's key: name and version. */
    public static class Key implements Serializable {
        public String name;
        public String version;

        public Key() {
        }

        public Key(String name, String version) {
            this.name = name;
            this.version = version;
        }

        @Override
        public boolean equals(Object other) {
            return other instanceof Key key && Objects.equals(name, key.name) && Objects.equals(version, key.version);
        }

        @Override
        public int hashCode() {
            return Objects.hash(name, version);
        }
    }

    @Id
    @Column(length = 63)
    public String name;

    @Id
    @Column(length = 64)
    public String version;

    @Column(length = 1024)
    public String description;

    @Column(nullable = false, columnDefinition = "text")
    public String addons;

    @Column(name = "created_by", nullable = false)
    public String createdBy;

    @Column(name = "created_at", nullable = false)
    public Instant createdAt;

    @Column(name = "updated_at", nullable = false)
    public Instant updatedAt;
}
