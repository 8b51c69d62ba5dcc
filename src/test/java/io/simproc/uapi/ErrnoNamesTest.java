package io.simproc.uapi;

import org.junit.jupiter.api.Test;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ErrnoNamesTest {
    @Test
    void everyConstantHasItsOwnNameBothWays() throws IllegalAccessException {
        int n = 0;
        for (Field f : Errno.class.getFields()) {
            if (Modifier.isStatic(f.getModifiers()) && f.getType() == int.class) {
                int e = f.getInt(null);
                assertEquals(f.getName(), Errno.name(e));
                assertEquals(f.getName(), Errno.name(-e), "negated as callers return them");
                assertEquals(e, Errno.byName(f.getName()));
                n++;
            }
        }
        assertEquals(26, n);
        assertEquals(0, Errno.byName("ENOMEN"));
        assertNull(Errno.name(6));
    }
}
