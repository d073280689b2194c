package dev.taskmirror.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ReactiveUrlConfigSourceFactoryTest {

    @Test
    void hostPortAndDatabaseCarryOver() {
        assertEquals("postgresql://db.internal:5433/taskmirror",
                ReactiveUrlConfigSourceFactory.derive("jdbc:postgresql://db.internal:5433/taskmirror"));
        assertEquals("postgresql://127.0.0.1/taskmirror",
                ReactiveUrlConfigSourceFactory.derive(" jdbc:postgresql://127.0.0.1/taskmirror "));
    }

    @Test
    void onlySslmodeOfTheParametersIsKept() {
        assertEquals("postgresql://db:5432/tm?sslmode=verify-full", ReactiveUrlConfigSourceFactory
                .derive("jdbc:postgresql://db:5432/tm?ApplicationName=x&sslmode=verify-full&prepareThreshold=0"));
        assertEquals("postgresql://db:5432/tm",
                ReactiveUrlConfigSourceFactory.derive("jdbc:postgresql://db:5432/tm?reWriteBatchedInserts=true"));
    }

    @Test
    void formsWithoutAReactiveEquivalentAreLeftToTheOperator() {
        assertNull(ReactiveUrlConfigSourceFactory.derive(null));
        assertNull(ReactiveUrlConfigSourceFactory.derive("jdbc:postgresql:taskmirror"));
        assertNull(ReactiveUrlConfigSourceFactory.derive("jdbc:postgresql://a:5432,b:5432/tm"));
        assertNull(ReactiveUrlConfigSourceFactory.derive("jdbc:mysql://db/tm"));
    }
}
