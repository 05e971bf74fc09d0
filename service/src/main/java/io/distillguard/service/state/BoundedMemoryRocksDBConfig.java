package io.distillguard.service.state;

import java.util.Map;
import org.apache.kafka.streams.state.RocksDBConfigSetter;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Cache;
import org.rocksdb.LRUCache;
import org.rocksdb.Options;
import org.rocksdb.WriteBufferManager;

/**
 * Bounds the off-heap memory of every RocksDB store of this JVM by one cap: all stores share one LRU block cache,
 * and their memtables are charged to it through one write buffer manager, with index and filter blocks cached
 * there too (Kafka Streams' memory-management guide). Without it each store, each window segment and each task
 * sizes its own caches, and an instance's memory grows with the number of partitions it happens to hold.
 *
 * <p>Sized from {@link #TOTAL_BYTES} (default 256 MiB), of which {@link #WRITE_BUFFER_RATIO} (default 0.25) may be
 * memtables. The cache and manager are shared and live as long as the JVM; {@link #close} frees nothing of theirs.
 */
public final class BoundedMemoryRocksDBConfig implements RocksDBConfigSetter {

    public static final String TOTAL_BYTES = "distillguard.rocksdb.memory-bytes";
    public static final String WRITE_BUFFER_RATIO = "distillguard.rocksdb.write-buffer-ratio";
    public static final long DEFAULT_TOTAL_BYTES = 256L << 20;
    private static final double DEFAULT_WRITE_BUFFER_RATIO = 0.25;
    // Share of the cache kept for index and filter blocks, so data blocks cannot evict what every read needs.
    private static final double HIGH_PRIORITY_RATIO = 0.1;
    private static final long BLOCK_SIZE = 16 * 1024;

    private static Cache cache;
    private static WriteBufferManager writeBufferManager;
    private static long sizedFor;

    @Override
    public void setConfig(String storeName, Options options, Map<String, Object> configs) {
        long total = number(configs, TOTAL_BYTES, DEFAULT_TOTAL_BYTES);
        double writeRatio = ratio(configs, WRITE_BUFFER_RATIO, DEFAULT_WRITE_BUFFER_RATIO);
        BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
        synchronized (BoundedMemoryRocksDBConfig.class) {
            if (cache == null) {
                cache = new LRUCache(total, -1, false, HIGH_PRIORITY_RATIO);
                writeBufferManager = new WriteBufferManager((long) (total * writeRatio), cache);
                sizedFor = total;
            }
            table.setBlockCache(cache);
            options.setWriteBufferManager(writeBufferManager);
        }
        table.setCacheIndexAndFilterBlocks(true);
        table.setCacheIndexAndFilterBlocksWithHighPriority(true);
        table.setPinTopLevelIndexAndFilter(true);
        table.setBlockSize(BLOCK_SIZE);
        // Change the table config the store already has, rather than replace it (Kafka sets its own filter on it).
        options.setTableFormatConfig(table);
    }

    @Override
    public void close(String storeName, Options options) {
        // The cache and the write buffer manager are shared by every store; they must outlive any one of them.
    }

    /** Bytes charged to the shared cache now (cached blocks and memtables), or 0 before any store opened. */
    public static synchronized long usageBytes() {
        return cache == null ? 0 : cache.getUsage();
    }

    /** The cap the shared cache was created with, or 0 before any store opened. */
    public static synchronized long capBytes() {
        return sizedFor;
    }

    private static long number(Map<String, Object> configs, String key, long defaultValue) {
        Object value = configs.get(key);
        return value == null ? defaultValue : Long.parseLong(value.toString().trim());
    }

    private static double ratio(Map<String, Object> configs, String key, double defaultValue) {
        Object value = configs.get(key);
        double ratio = value == null ? defaultValue : Double.parseDouble(value.toString().trim());
        if (ratio <= 0 || ratio >= 1) {
            throw new IllegalArgumentException(key + " must be between 0 and 1, exclusive: " + ratio);
        }
        return ratio;
    }
}
