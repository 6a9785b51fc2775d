package io.propensitykit.internal;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Hex sha256 digests, as {@code sha256sum} prints them: the kit pins models and datasets with them. */
public final class Sha256 {

    private Sha256() {}

    /**
     * Digests a file, streaming it.
     *
     * @param file the file
     * @return 64 lower-case hex digits
     * @throws IOException if the file cannot be read
     */
    public static String of(Path file) throws IOException {
        MessageDigest md = digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), md)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(md.digest());
    }

    /**
     * Digests a string's UTF-8 bytes.
     *
     * @param text the text
     * @return 64 lower-case hex digits
     */
    public static String of(String text) {
        return HexFormat.of().formatHex(digest().digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
