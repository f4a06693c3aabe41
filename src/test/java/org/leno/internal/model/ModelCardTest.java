package org.leno.internal.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.leno.internal.interop.InterchangeException;

class ModelCardTest {
    static final List<String> FASHION = List.of("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
            "Sneaker", "Bag", "Ankle boot");

    static ModelCard card() {
        return new ModelCard(new ModelConfig(Arch.PREACTRESNET, 101, 10, true, 0.25), FASHION,
                new ModelCard.Preprocessing(32, 28, "opencv", "bicubic", List.of(0.485, 0.456, 0.406),
                        List.of(0.229, 0.224, 0.225), ModelCard.GREY_REPLICATE));
    }

    @Test
    void aCardSurvivesItsMap() {
        ModelCard card = card();
        Map<String, Object> map = card.toMap();
        assertThat(map).containsEntry("arch", "preactresnet").containsEntry("depth", 101L).containsEntry("n_classes", 10L)
                .containsEntry("dropout", 0.25).containsEntry("zero_init_residual", true).containsEntry("class_names", FASHION);
        assertThat(ModelCard.fromMap(map, "f")).isEqualTo(card);
        assertThat(card.label(9)).isEqualTo("Ankle boot");
    }

    @Test
    void badCardsAreOneLineNamingTheFileAndField() {
        Map<String, Object> unknown = new LinkedHashMap<>(card().toMap());
        unknown.put("arch", "vgg");
        assertThatThrownBy(() -> ModelCard.fromMap(unknown, "run/checkpoint.pth.tar")).isInstanceOf(InterchangeException.class)
                .hasMessage("run/checkpoint.pth.tar: model_card names an unknown architecture 'vgg'; valid: resnet, "
                        + "preactresnet, lenoresnet");
        Map<String, Object> depth = new LinkedHashMap<>(card().toMap());
        depth.put("depth", 34L);
        assertThatThrownBy(() -> ModelCard.fromMap(depth, "f"))
                .hasMessage("f: model_card: no preactresnet of depth 34; valid depths: 50, 101, 152, 200");
        Map<String, Object> names = new LinkedHashMap<>(card().toMap());
        names.put("class_names", List.of("a", 3L));
        assertThatThrownBy(() -> ModelCard.fromMap(names, "f")).hasMessage("f: model_card.class_names is not a list of strings");
        Map<String, Object> crop = new LinkedHashMap<>(card().toMap());
        Map<String, Object> t = new LinkedHashMap<>((Map<String, Object>) crop.get("val_transform"));
        t.remove("crop");
        crop.put("val_transform", t);
        assertThatThrownBy(() -> ModelCard.fromMap(crop, "f")).hasMessage("f: model_card.val_transform.crop is missing");
        Map<String, Object> newer = new LinkedHashMap<>(card().toMap());
        newer.put("format", 2L);
        assertThatThrownBy(() -> ModelCard.fromMap(newer, "f")).hasMessage("f: model_card format 2 is newer than this leno reads (1)");
    }
}
