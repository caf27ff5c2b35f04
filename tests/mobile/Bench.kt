// JVM figures for the mobile bindings (a benchmark, not a test): load (verify + compile), check
// by handle, can by name, Amplify's whole navigation (40 leaves) in one filterMenu call, for a
// full and a lite token of Amplify's member, on the system clock. Medians of 7 timed batches after a warm-up.
// Run by `scripts/mobile-test.sh --bench`; Replay.kt's helpers are compiled alongside.
//
// Usage: BenchKt ROOT LITE_DIR

import dev.permslip.LoadOptions
import dev.permslip.Permslip
import java.io.File

// The system clock, as an app runs: an injected Clock is a JNA callback on every check (tens of
// microseconds), meant for tests.
fun loadLive(token: String): Permslip =
    Permslip.load(token, LoadOptions(jwks = keys, audience = AUDIENCE, catalogue = catalogue))

fun median(xs: List<Double>) = xs.sorted()[xs.size / 2]

/** Nanoseconds per call of `body`, the median of 7 batches of `n`. */
fun time(n: Int, body: () -> Unit): Double {
    repeat(n) { body() } // warm-up: JIT and caches
    return median((0 until 7).map {
        val t0 = System.nanoTime()
        repeat(n) { body() }
        (System.nanoTime() - t0).toDouble() / n
    })
}

fun show(ns: Double): String = when {
    ns >= 1_000_000 -> "%.2f ms".format(ns / 1_000_000)
    ns >= 1_000 -> "%.1f µs".format(ns / 1_000)
    else -> "%.0f ns".format(ns)
}

fun main(args: Array<String>) {
    root = File(args[0])
    liteDir = File(args[1])
    val tree = nav("amplify")
    var sink = 0
    println("| operation | full token | lite token |")
    println("|---|---:|---:|")
    val rows = linkedMapOf<String, MutableList<String>>()
    for (token in listOf(fullToken("amplify", "member"), liteToken("amplify", "member"))) {
        val p: Permslip = loadLive(token)
        val h = p.handle("fax.send")
        rows.getOrPut("load (verify + compile), catalogue bundle shared") { mutableListOf() }
            .add(show(time(100) { loadLive(token).close() }))
        rows.getOrPut("`check` by handle") { mutableListOf() }
            .add(show(time(5_000) { if (p.check(h)) sink++ }))
        rows.getOrPut("`can` by name") { mutableListOf() }
            .add(show(time(5_000) { if (p.can("fax.send")) sink++ }))
        rows.getOrPut("`can` by name, scoped") { mutableListOf() }
            .add(show(time(5_000) { if (p.can("fax.send_from", "+15550100")) sink++ }))
        rows.getOrPut("`checkMany` of 40 handles") { mutableListOf() }.add(show(time(2_000) {
            sink += p.checkMany(List(40) { h }).size
        }))
        rows.getOrPut("`filterMenu`, Amplify's navigation (51 items, 40 leaves), one call") { mutableListOf() }
            .add(show(time(1_000) { sink += p.filterMenu(tree).size }))
        rows.getOrPut("`explain` a denied permission") { mutableListOf() }.add(show(time(2_000) {
            sink += p.explain(dev.permslip.ExplainQuery.Permission("reports.export", null)).message.length
        }))
        p.close()
    }
    for ((name, cells) in rows) println("| $name | ${cells.joinToString(" | ")} |")
    if (sink == 42) println() // keep the results alive
}
