package dev.taskmirror.writeback;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;

import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.logging.Logger;

/**
 * Seals the secret fields of a pending create (AES-GCM) so the outbox never holds them in clear. The
 * sealed text is deleted with the outbox row once the remote has the task.
 */
@ApplicationScoped
public class SecretSealer {

    private static final Logger LOG = Logger.getLogger(SecretSealer.class);
    private static final int IV_BYTES = 12;

    private final SecretKeySpec key;
    private final SecureRandom random = new SecureRandom();

    SecretSealer(OutboxConfig config) {
        byte[] raw;
        if (config.secretKey().filter(s -> !s.isBlank()).isPresent()) {
            raw = Base64.getDecoder().decode(config.secretKey().get().trim());
            if (raw.length != 16 && raw.length != 24 && raw.length != 32) {
                throw new IllegalArgumentException("mirror.outbox.secret-key must be a base64 AES key of 16, 24 or 32 bytes");
            }
        } else {
            raw = new byte[32];
            random.nextBytes(raw);
            LOG.info("mirror.outbox.secret-key not set: secrets of pending creates are sealed with an ephemeral key");
        }
        this.key = new SecretKeySpec(raw, "AES");
    }

    public String seal(String plain) {
        try {
            byte[] iv = new byte[IV_BYTES];
            random.nextBytes(iv);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, iv));
            byte[] sealed = cipher.doFinal(plain.getBytes(StandardCharsets.UTF_8));
            return Base64.getEncoder().encodeToString(ByteBuffer.allocate(IV_BYTES + sealed.length).put(iv).put(sealed)
                    .array());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("Cannot seal secret fields", e);
        }
    }

    /** @throws IllegalStateException when the text was sealed with another key (e.g. an ephemeral one before a restart) */
    public String open(String sealedText) {
        try {
            byte[] all = Base64.getDecoder().decode(sealedText);
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, all, 0, IV_BYTES));
            return new String(cipher.doFinal(all, IV_BYTES, all.length - IV_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("Secret fields of this save cannot be decrypted with the current "
                    + "mirror.outbox.secret-key", e);
        }
    }
}
