package org.leno.internal.predict;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.leno.internal.interop.InterchangeException;
import org.leno.internal.interop.ReadLimits;
import org.leno.internal.interop.SafeTensors;
import org.leno.internal.interop.WeightFiles;
import org.leno.internal.model.ModelCard;
import org.leno.internal.run.RunLayout;

/**
 * A weights file read for inference, with the model card it carries: a checkpoint's
 * {@link ModelCard#KEY} dict, or the JSON under the same key in a safetensors file's metadata.
 */
public record ModelFile(WeightFiles.Loaded loaded, Optional<ModelCard> card) {
    private static final ObjectMapper JSON = new ObjectMapper();

    public Path file() { return loaded.file(); }

    /** A checkpoint dict (ours or the reference's), as opposed to a bare state dict. */
    public boolean isCheckpoint() { return loaded.checkpoint().isPresent(); }

    /** A run folder's model_best.pth.tar, else its checkpoint.pth.tar; any other path as it is. */
    public static Path resolve(Path weightsOrRun) {
        if (!Files.isDirectory(weightsOrRun)) {
            return weightsOrRun;
        }
        return new RunLayout(weightsOrRun).model().orElseThrow(() -> new InterchangeException(weightsOrRun
                + ": a folder without " + RunLayout.BEST + " or " + RunLayout.CHECKPOINT + " (not a leno train results folder)"));
    }

    /** Reads {@code weightsOrRun} (see {@link #resolve}); {@code ema}: the checkpoint's weight average. */
    public static ModelFile read(Path weightsOrRun, boolean ema) {
        Path file = resolve(weightsOrRun);
        WeightFiles.Loaded loaded = WeightFiles.readStateDict(file, ReadLimits.forFile(file.toFile().length()), ema);
        String name = file.toString();
        Optional<ModelCard> card;
        if (loaded.checkpoint().isPresent()) {
            Object c = loaded.checkpoint().get().get(ModelCard.KEY);
            if (c != null && !(c instanceof Map<?, ?>)) {
                throw new InterchangeException(name + ": " + ModelCard.KEY + " is not a dict");
            }
            card = Optional.ofNullable((Map<?, ?>) c).map(m -> ModelCard.fromMap(m, name));
        } else {
            card = safetensorsCard(file);
        }
        return new ModelFile(loaded, card);
    }

    private static Optional<ModelCard> safetensorsCard(Path file) {
        if (!isSafetensors(file)) {
            return Optional.empty();
        }
        String json = SafeTensors.metadata(file).get(ModelCard.KEY);
        if (json == null) {
            return Optional.empty();
        }
        try {
            return Optional.of(ModelCard.fromMap(JSON.readValue(json, Map.class), file.toString()));
        } catch (JsonProcessingException e) {
            throw new InterchangeException(file + ": metadata " + ModelCard.KEY + " is not a JSON object");
        }
    }

    /** Safetensors by content: not a zip, and a plausible little-endian header length first. */
    private static boolean isSafetensors(Path file) {
        try (var in = Files.newInputStream(file)) {
            byte[] head = in.readNBytes(2);
            return head.length == 2 && !(head[0] == 'P' && head[1] == 'K');
        } catch (java.io.IOException e) {
            return false;
        }
    }

    /** The card as the metadata of a safetensors file ({@link SafeTensors#write}). */
    public static Map<String, String> safetensorsMetadata(ModelCard card) {
        try {
            return Map.of("format", "pt", ModelCard.KEY, JSON.writeValueAsString(card.toMap()));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
