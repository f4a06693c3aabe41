package org.leno.internal.data.augment;

/** The operations of torchvision's auto-augment op spaces, named as torchvision names them. */
public enum AugmentOp {
    IDENTITY("Identity"),
    SHEAR_X("ShearX"),
    SHEAR_Y("ShearY"),
    TRANSLATE_X("TranslateX"),
    TRANSLATE_Y("TranslateY"),
    ROTATE("Rotate"),
    BRIGHTNESS("Brightness"),
    COLOR("Color"),
    CONTRAST("Contrast"),
    SHARPNESS("Sharpness"),
    POSTERIZE("Posterize"),
    SOLARIZE("Solarize"),
    AUTO_CONTRAST("AutoContrast"),
    EQUALIZE("Equalize"),
    INVERT("Invert");

    private final String torchName;

    AugmentOp(String torchName) {
        this.torchName = torchName;
    }

    /** torchvision's name of the operation (the op-space key in autoaugment.py). */
    public String torchName() {
        return torchName;
    }

    public static AugmentOp ofTorchName(String name) {
        for (AugmentOp op : values()) {
            if (op.torchName.equals(name)) {
                return op;
            }
        }
        throw new IllegalArgumentException("unknown augmentation operation " + name);
    }
}
