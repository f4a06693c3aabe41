package org.leno.data;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.security.MessageDigest;
import java.util.HexFormat;
import org.bytedeco.opencv.opencv_core.Mat;
import org.bytedeco.opencv.opencv_core.Rect;
import org.junit.jupiter.api.Test;
import org.leno.testing.Fixtures;

/** Our port of Pillow's resampling against Pillow itself (scripts/make_transform_fixtures.py): byte for byte. */
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
                try (Rect r = new Rect(left, top, b.get(2).asInt() - left, b.get(3).asInt() - top);
                     Mat view = new Mat(image, r);
                     Mat out = PilResize.resize(view, c.get("size").get(0).asInt(), c.get("size").get(1).asInt(), filter)) {
                    byte[] bytes = new byte[(int) (out.total() * out.channels())];
                    out.data().get(bytes);
                    double mean = 0;
                    for (byte v : bytes) {
                        mean += (v & 0xff) / (double) bytes.length;
                    }
                    String what = c.toString();
                    assertThat(mean).as("mean of %s", what).isCloseTo(c.get("mean").asDouble(),
                            org.assertj.core.data.Offset.offset(1e-9));
                    assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)))
                            .as("bytes of %s", what).isEqualTo(c.get("sha256").asText());
                }
            }
        }
    }
}
