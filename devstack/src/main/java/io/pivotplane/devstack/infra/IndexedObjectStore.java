package io.pivotplane.devstack.infra;

import io.fabric8.mockwebserver.crud.Attribute;
import io.fabric8.mockwebserver.crud.AttributeExtractor;
import io.fabric8.mockwebserver.crud.AttributeSet;
import io.fabric8.mockwebserver.crud.AttributeType;
import io.fabric8.mockwebserver.crud.CrudDispatcher;
import io.fabric8.mockwebserver.crud.Value;
import java.lang.reflect.Field;
import java.util.AbstractMap;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The object store of fabric8's CRUD dispatcher, indexed by resource and name. The dispatcher finds the objects a
 * request is about by testing every stored object against the request's attributes; with the objects of a
 * thousand clusters in one management cluster that scan, under the dispatcher's one lock, was most of the
 * local stack's CPU. While a request is being handled, this store shows the dispatcher's scans only the objects
 * of the request's resource (and name, when it names one): the only ones that could match. Everything else (puts,
 * removes, lookups by key, scans outside a request) sees all objects.
 */
final class IndexedObjectStore extends AbstractMap<AttributeSet, String> {

    private static final String PLURAL = "plural";
    private static final String NAME = "name";
    /** Requests whose handling may look at objects of other resources: they see everything. */
    private static final Set<String> UNSCOPED_RESOURCES = Set.of("namespaces", "customresourcedefinitions");

    private final Map<AttributeSet, String> all = new LinkedHashMap<>();
    private final Map<String, Map<AttributeSet, String>> byResource = new HashMap<>();
    private final Map<String, Map<AttributeSet, String>> byResourceAndName = new HashMap<>();
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

    private static String value(AttributeSet attributes, String key) {
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
            return new LinkedHashMap<>(all).entrySet();
        }
        Map<AttributeSet, String> candidates = current.object() == null ? byResource.get(current.resource())
                : byResourceAndName.get(current.object());
        Map<AttributeSet, String> view = candidates == null ? new LinkedHashMap<>() : new LinkedHashMap<>(candidates);
        // objects stored without a resource or name could be anything: they stay in every scan
        Map<AttributeSet, String> unindexed = byResource.get("");
        if (unindexed != null) {
            view.putAll(unindexed);
        }
        return view.entrySet();
    }

    @Override
    public synchronized String put(AttributeSet key, String value) {
        String previous = all.put(key, value);
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
        String previous = all.remove(key);
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

    private static void removeFrom(Map<String, Map<AttributeSet, String>> index, String key, AttributeSet attributes) {
        Map<AttributeSet, String> bucket = index.get(key);
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
        return all.get(key);
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
