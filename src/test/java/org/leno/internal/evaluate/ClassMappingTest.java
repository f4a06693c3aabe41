package org.leno.internal.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class ClassMappingTest {
    @Test
    void aSubsetOfTheModelsClassesMapsByName() {
        ClassMapping m = ClassMapping.of(List.of("dog", "zebra"), List.of("cat", "dog", "eel", "zebra"), 4, "val");
        assertThat(m.toModel(0)).isEqualTo(1);
        assertThat(m.toModel(1)).isEqualTo(3);
        assertThat(m.names()).containsExactly("cat", "dog", "eel", "zebra");
    }

    @Test
    void unknownClassesAreOneLineNamingTheUnknownAndTheMissing() {
        assertThatThrownBy(() -> ClassMapping.of(List.of("cat", "cow", "yak"), List.of("cat", "dog", "eel"), 3, "data/val"))
                .hasMessage("data/val: the classes do not match the model's: unknown to the model cow, yak; "
                        + "the model's classes missing here dog, eel");
    }

    @Test
    void withoutRecordedNamesTheDataNamesTheClassesByIndex() {
        ClassMapping m = ClassMapping.of(List.of("a", "b"), List.of(), 4, "val");
        assertThat(m.toModel(1)).isEqualTo(1);
        assertThat(m.names()).containsExactly("a", "b", "2", "3");
        assertThatThrownBy(() -> ClassMapping.of(List.of("a", "b", "c"), List.of(), 2, "val")).hasMessageStartingWith(
                "val: 3 classes for a model of 2 classes that records no class names");
    }
}
