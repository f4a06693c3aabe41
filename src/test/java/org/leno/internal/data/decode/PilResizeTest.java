package org.leno.internal.data.decode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.Test;
import org.leno.internal.data.datasets.FashionMnist;
import org.leno.internal.testing.Fixtures;

/**
 * Our port of Pillow's resampling against Pillow itself (scripts/make_transform_fixtures.py): byte for byte,
 * also when the horizontal pass runs in bands (as it does on large images).
 */
class PilResizeTest {

    @Test
    void equalsPillowsResizeByteForByte() throws Exception {
        JsonNode cases = Fixtures.json("transform/resize_cases.json");
        try (Mat photo = ImageDecoder.withDefaultLimit().decode(Fixtures.path("transform/photo.png"));
             Mat fashion = FashionMnist.embedded("train").rgb(0)) {
            for (JsonNode c : cases) {
                Mat image = c.get("image").asText().equals("photo") ? photo : fashion;
                JsonNode b = c.get("box");
                int left = b.get(0).asInt();
                int top = b.get(1).asInt();
                PilResize.Filter filter = PilResize.Filter.valueOf(c.get("filter").asText().toUpperCase());
                int w = c.get("size").get(0).asInt();
                int h = c.get("size").get(1).asInt();
                try (Rect r = new Rect(left, top, b.get(2).asInt() - left, b.get(3).asInt() - top);
                     Mat view = new Mat(image, r);
                     Mat out = PilResize.resize(view, w, h, filter);
                     Mat banded = PilResize.resize(view, w, h, filter, 7 * view.cols() * 3)) {
                    for (Mat result : new Mat[] {out, banded}) {
                        byte[] bytes = new byte[(int) (result.total() * result.channels())];
                        result.data().get(bytes);
                        double mean = 0;
                        for (byte v : bytes) {
                            mean += (v & 0xff) / (double) bytes.length;
                        }
                        String what = (result == banded ? "bands of 7 rows, " : "") + c;
                        assertThat(mean).as("mean of %s", what).isCloseTo(c.get("mean").asDouble(), offset(1e-9));
                        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                                .as("bytes of %s", what).isEqualTo(c.get("sha256").asText());
                    }
                }
            }
        }
    }
}
