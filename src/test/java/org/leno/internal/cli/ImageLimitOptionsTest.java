package org.leno.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ImageLimitOptionsTest {
    @Test
    void openCvsOwnLimitIsReadFromItsEnvironmentVariable() {
        assertThat(ImageLimitOptions.opencvLimit(null)).isEqualTo(1L << 30);
        assertThat(ImageLimitOptions.opencvLimit(" 178956970 ")).isEqualTo(178_956_970L);
        assertThat(ImageLimitOptions.opencvLimit("lots")).isEqualTo(1L << 30);
    }

    @Test
    void theDefaultIsPilsLimit() {
        assertThat(new ImageLimitOptions().decoder().maxPixels()).isEqualTo(89_478_485L);
    }
}
