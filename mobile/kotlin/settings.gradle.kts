// A standalone Gradle build of one Android library module: the generated Kotlin bindings
// (src/main/kotlin) and the native libraries that mobile/build-android.sh puts in
// src/main/jniLibs. `./gradlew assembleRelease` writes build/outputs/aar/permslip-release.aar.
// Not built on the machine it was written on (no Android SDK): docs/MOBILE.md.

pluginManagement {
    repositories {
        google() // the Android Gradle plugin
        mavenCentral()
        gradlePluginPortal()
    }
}

dependencyResolutionManagement {
    // Every repository is declared here, so the module's own build file cannot add others.
    repositoriesMode.set(RepositoriesMode.FAIL_ON_PROJECT_REPOS)
    repositories {
        google() // desugar_jdk_libs
        mavenCentral() // JNA
    }
}

// Also the AAR's base name and, with the group in build.gradle.kts, the coordinates an app's
// composite build (`includeBuild`) substitutes: dev.permslip:permslip.
rootProject.name = "permslip"
