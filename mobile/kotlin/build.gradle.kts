// The Android library (AAR) of permslip's mobile bindings: the UniFFI-generated Kotlin in
// src/main/kotlin (checked in) over libpermslip_mobile.so per ABI in src/main/jniLibs (build
// output of mobile/build-android.sh, not checked in: run it first).
//
//     ../build-android.sh && ./gradlew assembleRelease   # build/outputs/aar/permslip-release.aar
//
// Not built on the machine it was written on: it has no Android SDK. The same Kotlin source is
// compiled and run there on the JVM (scripts/mobile-test.sh); this file only packages it.
// docs/MOBILE.md says what was and was not tried.

import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    // AGP 8.13 with the Kotlin plugin it is documented with. Not AGP 9: it compiles Kotlin
    // itself and refuses `org.jetbrains.kotlin.android`. Kotlin 2.2 rather than the 2.4 the JVM
    // suite compiles with: an app's compiler reads libraries at most one version newer than
    // itself, so an older one here leaves more apps able to use the AAR.
    id("com.android.library") version "8.13.2"
    id("org.jetbrains.kotlin.android") version "2.2.21"
}

// The coordinates an app's composite build substitutes (`includeBuild`, docs/MOBILE.md).
group = "dev.permslip"
version = "0.1.0"

android {
    namespace = "dev.permslip"
    compileSdk = 36

    defaultConfig {
        minSdk = 24
    }

    sourceSets {
        getByName("main") {
            // The default locations, named so the layout is visible in one place.
            kotlin.srcDirs("src/main/kotlin")
            jniLibs.srcDirs("src/main/jniLibs")
        }
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
        // `expiresAt()` returns java.time.Instant, which Android has only from API 26; below
        // that the desugared library supplies it. An app using the AAR must enable desugaring
        // too (AGP checks the AAR's metadata and says so).
        isCoreLibraryDesugaringEnabled = true
    }

    buildTypes {
        release {
            // A library is shrunk by the app that uses it: consumer-rules.pro travels in the
            // AAR and keeps what JNA reaches by reflection.
            isMinifyEnabled = false
            consumerProguardFiles("consumer-rules.pro")
        }
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // The generated code calls the Rust library through JNA. UniFFI requires JNA 5.12 or newer
    // and, on Android, the AAR (`@aar`): it carries libjnidispatch.so for each ABI, where the
    // jar carries desktop ones. 5.17.0: the first whose libjnidispatch.so is aligned for the
    // 16 KB pages of Android 15+ devices (Google Play requires it for apps targeting API 35+).
    // The JVM suite here runs Debian's 5.13.0; the generated code uses nothing newer.
    // `api`: the generated public classes (RustBuffer, ...) extend JNA types.
    api("net.java.dev.jna:jna:5.17.0@aar")
    coreLibraryDesugaring("com.android.tools:desugar_jdk_libs:2.1.5")
}
