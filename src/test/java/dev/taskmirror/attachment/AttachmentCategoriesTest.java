package dev.taskmirror.attachment;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The SDK's classification of input files (contract §3.2.1, xpander_sdk tasks/utils/files.py): the
 * extension of urlparse(url).path as os.path.splitext reads it, lower-cased. Expected values were checked
 * against Python's urlparse/splitext.
 */
class AttachmentCategoriesTest {

    @ParameterizedTest(name = "{0} -> {2}")
    @CsvSource(delimiter = '|', nullValues = "-", ignoreLeadingAndTrailingWhitespace = false, textBlock = """
            https://files.example.com/q3.pdf|pdf|document|q3.pdf
            https://x.io/a/REPORT.PDF|pdf|document|REPORT.PDF
            HTTPS://X.IO/A.GIF|gif|image|A.GIF
            https://x.io/a/photo.JpEg?size=large|jpeg|image|photo.JpEg
            https://x.io/a/data.csv?sig=abc.pdf|csv|text|data.csv
            https://x.io/a.pdf?download=1&name=x.png|pdf|document|a.pdf
            https://x.io/a/page.html#section.png|html|text|page.html
            https://x.io/a/notes.md;v=2|md|text|notes.md
            https://x.io/a.c;type=a|c|text|a.c
            https://x.io/uploads/report|-|other|report
            https://x.io/uploads/|-|other|-
            https://x.io/uploads/report.pdf/|-|other|-
            https://x.io|-|other|-
            https://x.io/dir.png/file|-|other|file
            https://x.io/archive.tar.gz|gz|other|archive.tar.gz
            https://x.io/.env|-|other|.env
            https://x.io/..pdf|-|other|..pdf
            https://x.io/file.|-|other|file.
            https://x.io/voice.MP3|mp3|audio|voice.MP3
            https://x.io/call.wav?t=1|wav|audio|call.wav
            https://x.io/memo.m4a|m4a|audio|memo.m4a
            https://x.io/r%C3%A9sum%C3%A9.pdf|pdf|document|résumé.pdf
            https://x.io/résumé.docx|docx|other|résumé.docx
            https://x.io/sheet.xlsx|xlsx|other|sheet.xlsx
            s3://bucket/key/image.webp|webp|image|image.webp
            report.txt|txt|text|report.txt
            https://x.io/scan.tiff|tiff|image|scan.tiff
            https://x.io/scan.tif|tif|other|scan.tif
            https://x.io/logo.svg|svg|image|logo.svg
            https://x.io/src/Main.java|java|text|Main.java
            https://host.io:8443/path/file.YAML?x=1#y|yaml|text|file.YAML
            https://x.io/export.json|json|text|export.json
            https://x.io/a.h|h|text|a.h
            ftp://x.io/pub/readme.rst|rst|text|readme.rst
            https://user:pw@x.io:80/a.bmp|bmp|image|a.bmp
              https://x.io/lead.png|png|image|lead.png
            https://x.io/trail.png\s\s|png\s\s|other|trail.png\s\s
            """)
    void classifiesLikeTheSdk(String url, String extension, String category, String fileName) {
        Attachments.FileRef ref = Attachments.parse(url);
        assertThat(ref.extension()).as("extension").isEqualTo(extension);
        assertThat(ref.category().wire()).as("category").isEqualTo(category);
        assertThat(ref.fileName()).as("file name").isEqualTo(fileName);
    }

    @Test
    void theSdkCategoriesAreTheSdkGroupsAndTheOthersAreOurs() {
        assertThat(AttachmentCategory.VALUES).containsExactly("document", "image", "text", "audio", "other");
        assertThat(AttachmentCategory.values()).filteredOn(AttachmentCategory::fromSdk)
                .containsExactly(AttachmentCategory.DOCUMENT, AttachmentCategory.IMAGE, AttachmentCategory.TEXT);
        assertThat(AttachmentCategory.fromWire("video")).isEmpty();
        assertThat(AttachmentCategory.fromWire("IMAGE")).as("wire names are lower-case").isEmpty();
    }

    @Test
    void countsEveryFileEntryOnceAndSkipsWhatIsNotAUrl() throws Exception {
        var files = new ObjectMapper().readTree("""
                ["https://x.io/a.pdf", "https://x.io/b.png", "https://x.io/b.png", {"url": "https://x.io/c.csv", "size": 12},
                 "https://x.io/d", null, 42, "", {"name": "no url"}]""");
        Attachments.Counts counts = Attachments.count(files);
        assertThat(counts.total()).isEqualTo(5);
        assertThat(counts.of(AttachmentCategory.DOCUMENT)).isEqualTo(1);
        assertThat(counts.of(AttachmentCategory.IMAGE)).isEqualTo(2);
        assertThat(counts.of(AttachmentCategory.TEXT)).isEqualTo(1);
        assertThat(counts.of(AttachmentCategory.OTHER)).isEqualTo(1);
        assertThat(counts.of(AttachmentCategory.AUDIO)).isZero();
        assertThat(Attachments.count(new ObjectMapper().readTree("null")).total()).isZero();
        assertThat(Attachments.count(new ObjectMapper().readTree("\"https://x.io/a.pdf\"")).total())
                .as("files must be an array").isZero();
    }
}
