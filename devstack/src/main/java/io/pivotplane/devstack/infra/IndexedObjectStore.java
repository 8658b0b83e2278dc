package io.pivotplane.devstack.infra;

import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeExtractor;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.crud.Value;
import java.lang.reflect.Field;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The object store of fabric8's CRUD dispatcher, indexed by resource and name. The dispatcher finds the objects a
 * request is about by testing every stored object against the request's attributes; with the objects of a
 * thousand clusters in one management cluster that scan, under the dispatcher's one lock, was most of the
 * local stack's CPU. While a request is being handled, this store shows the dispatcher's scans only the objects
 * of the request's resource (and name, when it names one): the only ones that could match. Everything else (puts,
 * removes, lookups by key, scans outside a request) sees all objects.
 *
 * <p>Large objects are kept as {@link SharedJson}, so that the CRDs every cluster holds take their memory once; a
 * scan hands out an object's text only when asked for its value.
 */
final class IndexedObjectStore extends AbstractMap<AttributeSet, String> {

    static final String PLURAL = "plural";
    static final String NAME = "name";
    static final String NAMESPACE = "namespace";
    static final String GROUP = "api";
    static final String VERSION = "version";
    /** Requests whose handling may look at objects of other resources: they see everything. */
    private static final Set<String> UNSCOPED_RESOURCES = Set.of("namespaces", "customresourcedefinitions");

    private final Map<AttributeSet, Object> all = new LinkedHashMap<>();
    private final Map<String, Map<AttributeSet, Object>> byResource = new HashMap<>();
    private final Map<String, Map<AttributeSet, Object>> byResourceAndName = new HashMap<>();
    private final ThreadLocal<Scope> scope = new ThreadLocal<>();

    /** What a request is about: a resource, and one object of it when it names one ({@code resource/name}). */
    private record Scope(String resource, String object) {
    }

    /** Puts a new store in place of the dispatcher's own, empty one. */
    static IndexedObjectStore installIn(CrudDispatcher dispatcher) {
        IndexedObjectStore store = new IndexedObjectStore();
        try {
            Field map = CrudDispatcher.class.getDeclaredField("map");
            map.setAccessible(true);
            @SuppressWarnings("unchecked")
            Map<AttributeSet, String> existing = (Map<AttributeSet, String>) map.get(dispatcher);
            store.putAll(existing);
            map.set(dispatcher, store);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("this version of fabric8's mock server keeps its objects differently", e);
        }
        return store;
    }

    /** Handles a request with the dispatcher's scans limited to the objects the request's path could be about. */
    <T> T handle(String path, AttributeExtractor extractor, Supplier<T> request) {
        Scope requested = scopeOf(extractor.fromPath(path));
        if (requested == null) {
            return request.get();
        }
        scope.set(requested);
        try {
            return request.get();
        } finally {
            scope.remove();
        }
    }

    private static Scope scopeOf(AttributeSet query) {
        String resource = indexResource(query);
        if (resource.isEmpty() || UNSCOPED_RESOURCES.contains(resource)) {
            return null;
        }
        return new Scope(resource, objectKey(resource, query));
    }

    /** {@code resource/name} of the one object the attributes name, or null when they name none. */
    private static String objectKey(String resource, AttributeSet attributes) {
        String name = value(attributes, NAME);
        return resource.isEmpty() || name == null ? null : resource + "/" + name;
    }

    static String value(AttributeSet attributes, String key) {
        Attribute attribute = attributes.getAttribute(key);
        if (attribute == null || attribute.getType() != AttributeType.WITH || attribute.getValues().size() != 1) {
            return null;
        }
        Value value = attribute.getValues().get(0);
        return value == null ? null : value.toString();
    }

    @Override
    public synchronized Set<Entry<AttributeSet, String>> entrySet() {
        Scope current = scope.get();
        if (current == null) {
            return snapshot(all);
        }
        Map<AttributeSet, Object> candidates = current.object() == null ? byResource.get(current.resource())
                : byResourceAndName.get(current.object());
        Map<AttributeSet, Object> view = candidates == null ? new LinkedHashMap<>() : new LinkedHashMap<>(candidates);
        // objects stored without a resource or name could be anything: they stay in every scan
        Map<AttributeSet, Object> unindexed = byResource.get("");
        if (unindexed != null) {
            view.putAll(unindexed);
        }
        return snapshot(view);
    }

    /** The objects of one resource whose attributes pass {@code filter}, whatever the request being handled. */
    synchronized List<Entry<AttributeSet, String>> find(String resource, Predicate<AttributeSet> filter) {
        List<Entry<AttributeSet, String>> found = new ArrayList<>();
        byResource.getOrDefault(resource, Map.of()).forEach((key, value) -> {
            if (filter.test(key)) {
                found.add(new StoredEntry(key, value));
            }
        });
        return found;
    }

    /** The object of {@code resource} in {@code group} ("" for core) and {@code namespace} ("" for none), or null. */
    synchronized Entry<AttributeSet, String> find(String resource, String group, String namespace, String name) {
        for (Entry<AttributeSet, Object> entry : byResourceAndName.getOrDefault(resource + "/" + name, Map.of())
                .entrySet()) {
            AttributeSet key = entry.getKey();
            if (Objects.equals(Objects.requireNonNullElse(value(key, GROUP), ""), group)
                    && Objects.equals(Objects.requireNonNullElse(value(key, NAMESPACE), ""), namespace)) {
                return new StoredEntry(key, entry.getValue());
            }
        }
        return null;
    }

    /** Every object whose attributes pass {@code filter}. */
    synchronized List<Entry<AttributeSet, String>> findAll(Predicate<AttributeSet> filter) {
        List<Entry<AttributeSet, String>> found = new ArrayList<>();
        all.forEach((key, value) -> {
            if (filter.test(key)) {
                found.add(new StoredEntry(key, value));
            }
        });
        return found;
    }

    /** Characters of JSON the objects of {@code resource} hold: all of it, and what only they hold. */
    synchronized long[] footprint(String resource) {
        long total = 0;
        long own = 0;
        for (Object value : byResource.getOrDefault(resource, Map.of()).values()) {
            if (value instanceof SharedJson shared) {
                total += shared.toString().length();
                own += shared.ownLength();
            } else {
                total += ((String) value).length();
                own += ((String) value).length();
            }
        }
        return new long[] {total, own};
    }

    /** Entries that give an object's text only when asked for it: a scan tests keys, not values. */
    private static Set<Entry<AttributeSet, String>> snapshot(Map<AttributeSet, Object> objects) {
        List<Entry<AttributeSet, String>> entries = new ArrayList<>(objects.size());
        objects.forEach((key, value) -> entries.add(new StoredEntry(key, value)));
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<AttributeSet, String>> iterator() {
                return entries.iterator();
            }

            @Override
            public int size() {
                return entries.size();
            }
        };
    }

    /** One stored object, its text made when first asked for. */
    private static final class StoredEntry implements Entry<AttributeSet, String> {

        private final AttributeSet key;
        private final Object stored;

        StoredEntry(AttributeSet key, Object stored) {
            this.key = key;
            this.stored = stored;
        }

        @Override
        public AttributeSet getKey() {
            return key;
        }

        @Override
        public String getValue() {
            return SharedJson.text(stored);
        }

        @Override
        public String setValue(String value) {
            throw new UnsupportedOperationException();
        }
    }

    @Override
    public synchronized String put(AttributeSet key, String json) {
        Object value = SharedJson.of(json);
        String previous = SharedJson.text(all.put(key, value));
        String resource = indexResource(key);
        byResource.computeIfAbsent(resource, r -> new LinkedHashMap<>()).put(key, value);
        String object = objectKey(resource, key);
        if (object != null) {
            byResourceAndName.computeIfAbsent(object, o -> new LinkedHashMap<>()).put(key, value);
        }
        return previous;
    }

    @Override
    public synchronized String remove(Object key) {
        String previous = SharedJson.text(all.remove(key));
        if (previous != null && key instanceof AttributeSet attributes) {
            String resource = indexResource(attributes);
            removeFrom(byResource, resource, attributes);
            String object = objectKey(resource, attributes);
            if (object != null) {
                removeFrom(byResourceAndName, object, attributes);
            }
        }
        return previous;
    }

    private static void removeFrom(Map<String, Map<AttributeSet, Object>> index, String key, AttributeSet attributes) {
        Map<AttributeSet, Object> bucket = index.get(key);
        if (bucket != null) {
            bucket.remove(attributes);
            if (bucket.isEmpty()) {
                index.remove(key);
            }
        }
    }

    private static String indexResource(AttributeSet key) {
        String resource = value(key, PLURAL);
        return resource == null ? "" : resource;
    }

    @Override
    public synchronized String get(Object key) {
        return SharedJson.text(all.get(key));
    }

    @Override
    public synchronized boolean containsKey(Object key) {
        return all.containsKey(key);
    }

    @Override
    public synchronized int size() {
        return all.size();
    }

    @Override
    public synchronized void clear() {
        all.clear();
        byResource.clear();
        byResourceAndName.clear();
    }
}
