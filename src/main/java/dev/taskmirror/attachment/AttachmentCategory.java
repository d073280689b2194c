package dev.taskmirror.attachment;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * What kind of input file a task was given, judged from the URL path's extension like the SDK does. The
 * first three are the SDK's own groups (it passes images and PDFs to the model as media and injects the
 * contents of human-readable files into the context); {@code audio} and {@code other} are this service's
 * additions for files the SDK leaves alone.
 */
public enum AttachmentCategory {
    /** The SDK's "pdfs": pdf. */
    DOCUMENT(true),
    /** The SDK's "images": jpg, jpeg, png, gif, bmp, tiff, webp, svg. */
    IMAGE(true),
    /** The SDK's human-readable "files": txt, csv, json, xml, html, md, yaml, source code, …. */
    TEXT(true),
    /** Ours: mp3, wav, m4a, ogg, oga, flac, aac, opus. */
    AUDIO(false),
    /** Ours: everything else, including URLs without an extension. */
    OTHER(false);

    public static final List<String> VALUES = Arrays.stream(values()).map(AttachmentCategory::wire).toList();

    private final boolean sdk;

    AttachmentCategory(boolean sdk) {
        this.sdk = sdk;
    }

    public String wire() {
        return name().toLowerCase();
    }

    /** True for the categories the SDK itself distinguishes. */
    public boolean fromSdk() {
        return sdk;
    }

    /** The per-category count column of the task table. */
    public String column() {
        return "attachments_" + wire();
    }

    public static Optional<AttachmentCategory> fromWire(String value) {
        return Arrays.stream(values()).filter(c -> c.wire().equals(value)).findFirst();
    }
}
