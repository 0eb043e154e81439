package io.pipekit.server.windows;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class OverlappedTableTest {

    @Test
    void findsWhatWasPutUntilItIsRemoved() {
        OverlappedTable<String> table = new OverlappedTable<>();
        table.put(0x7f00_0000_1000L, "read");
        table.put(0x7f00_0000_1020L, "write");
        assertEquals("read", table.get(0x7f00_0000_1000L));
        assertEquals("write", table.get(0x7f00_0000_1020L));
        table.remove(0x7f00_0000_1000L);
        assertNull(table.get(0x7f00_0000_1000L));
        assertEquals("write", table.get(0x7f00_0000_1020L));
        assertEquals(1, table.size());
    }

    @Test
    void anAddressItDoesNotOwnIsNotFound() {
        OverlappedTable<String> table = new OverlappedTable<>();
        table.put(0x1000L, "ours");
        assertNull(table.get(0x2000L));
        assertNull(table.get(0));
        table.remove(0x2000L); // removing what was never there changes nothing
        assertEquals(1, table.size());
        assertThrows(IllegalArgumentException.class, () -> table.put(0, "no"));
    }

    @Test
    void agreesWithAHashMapThroughRandomChurnOfAlignedAddresses() {
        // Native allocations are 16-byte aligned and close together: the shape that makes probe
        // runs long and that deletion by shifting back must keep findable.
        Random random = new Random(42);
        OverlappedTable<Long> table = new OverlappedTable<>();
        Map<Long, Long> reference = new HashMap<>();
        List<Long> live = new ArrayList<>();
        for (int step = 0; step < 200_000; step++) {
            if (live.isEmpty() || random.nextInt(100) < 55 && live.size() < 600) {
                long address = 0x7ff6_0000_0000L + 16L * random.nextInt(4096);
                if (!reference.containsKey(address)) {
                    live.add(address);
                }
                table.put(address, address + 1);
                reference.put(address, address + 1);
            } else {
                long address = live.remove(random.nextInt(live.size()));
                table.remove(address);
                reference.remove(address);
            }
            long probe = 0x7ff6_0000_0000L + 16L * random.nextInt(4096);
            assertEquals(reference.get(probe), table.get(probe), () -> "lookup of " + Long.toHexString(probe));
        }
        assertEquals(reference.size(), table.size());
        for (Map.Entry<Long, Long> entry : reference.entrySet()) {
            assertEquals(entry.getValue(), table.get(entry.getKey()));
        }
        assertEquals(reference.size(), table.values().size());
    }
}
