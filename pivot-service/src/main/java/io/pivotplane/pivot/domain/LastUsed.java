package io.pivotplane.pivot.domain;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;

/** What was computed for the keys used last, at most {@code capacity} of them; safe to use from several threads. */
public final class LastUsed<K, V> {

    private final Map<K, V> entries;

    public LastUsed(int capacity) {
        this.entries = new LinkedHashMap<>(capacity * 2, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
                return size() > capacity;
            }
        };
    }

    /**
     * The value kept for {@code key}, else {@code compute}'s, kept. It is computed outside the lock, as parsing may
     * take a while; of two threads computing the same key at once, the first kept is the one both get.
     */
    public V get(K key, Function<K, V> compute) {
        synchronized (entries) {
            V kept = entries.get(key);
            if (kept != null) {
                return kept;
            }
        }
        V computed = compute.apply(key);
        synchronized (entries) {
            V kept = entries.putIfAbsent(key, computed);
            return kept != null ? kept : computed;
        }
    }

    public void remove(K key) {
        synchronized (entries) {
            entries.remove(key);
        }
    }
}
