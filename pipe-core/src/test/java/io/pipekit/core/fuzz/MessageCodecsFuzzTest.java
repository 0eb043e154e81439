package io.pipekit.core.fuzz;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.pipekit.core.MessageCodec;
import io.pipekit.core.MessageCodecs;
import java.util.Arrays;

/**
 * Fuzzes the text codecs, which decode whatever a peer sent: any bytes decode to a string or
 * are refused with {@link IllegalArgumentException} (nothing else is thrown, nothing is
 * substituted), and what decodes encodes back to the same bytes (the sample's UTF-16LE text may
 * gain the terminating NUL a C peer left out). Any string encodes and decodes back unchanged, or
 * is refused, typed, for an unpaired surrogate.
 */
class MessageCodecsFuzzTest {

    @FuzzTest
    void anyBytesDecodeExactlyOrAreRefused(FuzzedDataProvider data) {
        boolean tchar = data.consumeBoolean();
        byte[] message = data.consumeRemainingAsBytes();
        MessageCodec<String> codec = tchar ? MessageCodecs.tcharText() : MessageCodecs.utf8();
        String text;
        try {
            text = codec.decode(message);
        } catch (IllegalArgumentException refused) {
            return;
        }
        byte[] again = codec.encode(text);
        if (tchar && !endsWithNul(message)) {
            assertArrayEquals(Arrays.copyOf(message, message.length + 2), again, "the same text, with the NUL a C peer adds");
        } else {
            assertArrayEquals(message, again);
        }
    }

    @FuzzTest
    void anyStringRoundTripsOrIsRefusedForAnUnpairedSurrogate(FuzzedDataProvider data) {
        boolean tchar = data.consumeBoolean();
        String text = data.consumeRemainingAsString();
        MessageCodec<String> codec = tchar ? MessageCodecs.tcharText() : MessageCodecs.utf8();
        byte[] encoded;
        try {
            encoded = codec.encode(text);
        } catch (IllegalArgumentException refused) {
            assertTrue(hasUnpairedSurrogate(text), "refused a string with no unpaired surrogate: " + refused.getMessage());
            return;
        }
        assertEquals(text, codec.decode(encoded));
    }

    private static boolean endsWithNul(byte[] message) {
        return message.length >= 2 && message[message.length - 1] == 0 && message[message.length - 2] == 0;
    }

    private static boolean hasUnpairedSurrogate(String text) {
        return !text.codePoints().allMatch(cp -> cp < Character.MIN_SURROGATE || cp > Character.MAX_SURROGATE);
    }
}
