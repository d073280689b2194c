package dev.taskmirror.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class ReactiveDatasourceConfigSourceFactoryTest {

    @Test
    void hostPortAndDatabaseCarryOver() {
        assertEquals("postgresql://db.internal:5433/taskmirror",
                ReactiveDatasourceConfigSourceFactory.derive("jdbc:postgresql://db.internal:5433/taskmirror"));
        assertEquals("postgresql://127.0.0.1/taskmirror",
                ReactiveDatasourceConfigSourceFactory.derive(" jdbc:postgresql://127.0.0.1/taskmirror "));
    }

    @Test
    void onlySslmodeOfTheParametersIsKept() {
        assertEquals("postgresql://db:5432/tm?sslmode=verify-full", ReactiveDatasourceConfigSourceFactory
                .derive("jdbc:postgresql://db:5432/tm?ApplicationName=x&sslmode=verify-full&prepareThreshold=0"));
        assertEquals("postgresql://db:5432/tm",
                ReactiveDatasourceConfigSourceFactory.derive("jdbc:postgresql://db:5432/tm?reWriteBatchedInserts=true"));
    }

    @Test
    void formsWithoutAReactiveEquivalentAreLeftToTheOperator() {
        assertNull(ReactiveDatasourceConfigSourceFactory.derive(null));
        assertNull(ReactiveDatasourceConfigSourceFactory.derive("jdbc:postgresql:taskmirror"));
        assertNull(ReactiveDatasourceConfigSourceFactory.derive("jdbc:postgresql://a:5432,b:5432/tm"));
        assertNull(ReactiveDatasourceConfigSourceFactory.derive("jdbc:mysql://db/tm"));
    }

    @Test
    void threeConnectionsPerProcessor() {
        assertEquals(6, ReactiveDatasourceConfigSourceFactory.maxSize(2));
        assertEquals(3, ReactiveDatasourceConfigSourceFactory.maxSize(1));
        assertEquals(3, ReactiveDatasourceConfigSourceFactory.maxSize(0));
    }
}
