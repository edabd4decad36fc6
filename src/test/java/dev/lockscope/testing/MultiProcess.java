package dev.lockscope.testing;

import org.junit.jupiter.api.Tag;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test class or method that starts real child JVMs or other processes (or needs the network-filesystem
 * testbed): it runs in the integration-test phase (Failsafe), after the fast unit tests (Surefire), so that
 * {@code mvn test} stays quick. The pom filters on the tag, whose name is {@link #TAG}. On a class it covers the
 * JUnit tests only: a jqwik {@code @Property} ignores JUnit tags and stays with the unit tests.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@Tag(MultiProcess.TAG)
public @interface MultiProcess {
    String TAG = "multi-process";
}
