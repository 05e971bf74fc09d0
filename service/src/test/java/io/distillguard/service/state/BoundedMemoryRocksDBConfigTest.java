package io.distillguard.service.state;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.rocksdb.BlockBasedTableConfig;
import org.rocksdb.Options;
import org.rocksdb.RocksDB;

class BoundedMemoryRocksDBConfigTest {

    static {
        RocksDB.loadLibrary();
    }

    @Test
    void shouldCacheIndexAndFilterBlocksInOneSharedCacheForEveryStore() {
        BoundedMemoryRocksDBConfig setter = new BoundedMemoryRocksDBConfig();
        try (Options first = new Options().setTableFormatConfig(new BlockBasedTableConfig());
             Options second = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            setter.setConfig("store-a", first, Map.of(BoundedMemoryRocksDBConfig.TOTAL_BYTES, Long.toString(64L << 20)));
            setter.setConfig("store-b", second, Map.of(BoundedMemoryRocksDBConfig.TOTAL_BYTES, Long.toString(64L << 20)));

            for (Options options : new Options[] {first, second}) {
                BlockBasedTableConfig table = (BlockBasedTableConfig) options.tableFormatConfig();
                assertThat(table.cacheIndexAndFilterBlocks()).isTrue();
                assertThat(table.pinTopLevelIndexAndFilter()).isTrue();
                assertThat(table.blockSize()).isEqualTo(16 * 1024);
            }
            assertThat(BoundedMemoryRocksDBConfig.capBytes()).as("one cache for the JVM, sized once").isPositive();
        }
    }

    @Test
    void shouldRefuseAWriteBufferRatioOutsideZeroToOne() {
        try (Options options = new Options().setTableFormatConfig(new BlockBasedTableConfig())) {
            assertThatThrownBy(() -> new BoundedMemoryRocksDBConfig().setConfig("s", options,
                    Map.of(BoundedMemoryRocksDBConfig.WRITE_BUFFER_RATIO, "1.5")))
                    .hasMessageContaining(BoundedMemoryRocksDBConfig.WRITE_BUFFER_RATIO);
        }
    }
}
