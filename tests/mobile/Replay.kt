// The mobile bindings on the JVM: the generated Kotlin (mobile/kotlin) over the release shared
// library, replaying the shared contract. Every decision-table case is asserted against
// tests/vectors/decisions.json over every example user's golden full token and its lite token,
// and written to a record that scripts/mobile-test.sh compares byte for byte with the native
// one (mobile/examples/record.rs); then every refusal of tests/vectors/refusals.json, expiry
// with an injected clock, one checker shared by 8 threads, and hostile input.
//
// Usage: Replay ROOT LITE_DIR RECORD_OUT

import com.google.gson.JsonArray
import com.google.gson.JsonElement
import com.google.gson.JsonObject
import com.google.gson.JsonParser
import dev.permslip.Catalogue
import dev.permslip.Clock
import dev.permslip.ExplainQuery
import dev.permslip.Explanation
import dev.permslip.Format
import dev.permslip.KeySet
import dev.permslip.LoadOptions
import dev.permslip.NavItem
import dev.permslip.Permslip
import dev.permslip.PermslipException
import dev.permslip.Reason
import dev.permslip.Requirement
import dev.permslip.Source
import java.io.File
import java.time.Instant
import java.util.concurrent.Executors
import java.util.concurrent.TimeUnit
import java.util.concurrent.atomic.AtomicLong
import kotlin.random.Random
import kotlin.test.assertEquals
import kotlin.test.assertFalse
import kotlin.test.assertNull
import kotlin.test.assertTrue
import kotlin.test.fail

const val AUDIENCE = "permslip-demo"
const val NOW_S = 1_764_000_001L
const val EXPIRES_AT = 4_102_444_800L
val EXAMPLES = listOf("amplify", "ampliflow")

/** A clock the test steps by hand. */
class StepClock(start: Long) : Clock {
    val ms = AtomicLong(start)
    override fun nowMillis(): Long = ms.get()
}

var passed = 0
var failed = 0

fun test(name: String, body: () -> Unit) {
    try {
        body()
        passed++
        println("ok - $name")
    } catch (e: Throwable) {
        failed++
        println("FAILED - $name: $e")
        e.printStackTrace(System.out)
    }
}

lateinit var root: File
lateinit var liteDir: File

fun read(path: String) = File(root, path).readText()
fun json(path: String): JsonElement = JsonParser.parseString(read(path))

val keys by lazy { KeySet.parse(read("tests/keys/test-jwks.json")) }
val fixedClock = StepClock(NOW_S * 1000)
fun options(clock: Clock = fixedClock) = LoadOptions(jwks = keys, audience = AUDIENCE, clock = clock)
val catalogue by lazy { Catalogue.load(read("tests/golden/amplify/catalogue.jwt").trim(), options()) }

fun users(example: String): List<String> =
    json("examples/$example/directory.json").asJsonObject["users"].asJsonArray.map { it.asJsonObject["id"].asString }

fun fullToken(example: String, user: String) = read("tests/golden/$example/$user.jwt").trim()
fun liteToken(example: String, user: String) = File(liteDir, "$example/$user.lite.jwt").readText().trim()

fun load(token: String, clock: Clock = fixedClock): Permslip =
    Permslip.load(token, options(clock).copy(catalogue = catalogue))

// ---- JSON → records ----

fun JsonObject.str(key: String): String? = get(key)?.takeIf { it.isJsonPrimitive && it.asJsonPrimitive.isString }?.asString

fun requirement(o: JsonObject): Requirement =
    o.str("permission")?.let { Requirement.Permission(it, o.str("scope")) }
        ?: Requirement.Feature(o.str("feature") ?: fail("bad requirement $o"), o.str("level"))

fun navItems(a: JsonArray): List<NavItem> = a.map { e ->
    val o = e.asJsonObject
    NavItem(
        id = o.str("id") ?: "",
        label = o.str("label") ?: "",
        requires = o.get("requires")?.takeIf { it.isJsonObject }?.let { requirement(it.asJsonObject) },
        children = o.get("children")?.takeIf { it.isJsonArray }?.let { navItems(it.asJsonArray) } ?: emptyList(),
    )
}

fun nav(example: String): List<NavItem> = navItems(json("examples/$example/model.json").asJsonObject["nav"].asJsonArray)

// ---- the record, written exactly as mobile/examples/record.rs writes it ----

fun code(r: Reason) = r.name.lowercase()
fun opt(s: String?) = s ?: "null"

fun source(s: Source): String = when (s) {
    is Source.Role -> "role:${s.role}:${s.via}"
    is Source.User -> "user"
    is Source.Team -> "team:${s.team}"
    is Source.Implied -> "implied:${s.by}"
    is Source.Assignment -> "assignment:${s.resource}:${s.via}"
    is Source.Feature -> "feature:${s.feature}"
}

fun words(e: Explanation) =
    "allow=${e.allowed} reason=${code(e.reason)} level=${opt(e.level)} needed=${opt(e.needed)} " +
        "product=${opt(e.product)} via=[${e.via.joinToString(",") { source(it) }}] " +
        "grantedBy=[${e.grantedBy.joinToString(",")}] query=${e.query} message=${e.message}"

fun visibleIds(items: List<NavItem>, out: MutableList<String> = mutableListOf()): List<String> {
    for (item in items) {
        out.add(item.id)
        visibleIds(item.children, out)
    }
    return out
}

/** One case: asserts it against `expect` and the APIs that must agree, returns its record line. */
fun answer(p: Permslip, nav: List<NavItem>, check: JsonObject, expect: JsonObject): String? {
    check.str("can")?.let { permission ->
        val scope = check.str("scope")
        val e = p.explain(ExplainQuery.Permission(permission, scope))
        assertEquals(e.allowed, p.can(permission, scope), "explain and can on $check")
        assertEquals(e.allowed, p.check(p.handle(permission, scope)), "handle and can on $check")
        assertEquals(listOf(e.allowed), p.checkMany(listOf(p.handle(permission, scope))), "checkMany on $check")
        assertEquals(expect["allow"].asBoolean, e.allowed, "allow on $check")
        assertEquals(expect["reason"].asString, code(e.reason), "reason on $check")
        assertEquals(expect.str("message"), e.message, "message on $check")
        return "can ${words(e)}"
    }
    check.str("level")?.let { feature ->
        val level = p.featureLevel(feature)
        assertEquals(level != null, p.visible(feature), "featureLevel and visible on $check")
        assertEquals(expect.str("level"), level, "level on $check")
        return "level=${opt(level)}"
    }
    val action = check.str("action")
    check.str("feature")?.let { feature ->
        val e = p.explain(ExplainQuery.Feature(feature, action!!))
        assertEquals(e.allowed, p.canFeature(feature, action), "explain and canFeature on $check")
        assertEquals(expect["allow"].asBoolean, e.allowed, "allow on $check")
        assertEquals(expect["reason"].asString, code(e.reason), "reason on $check")
        if (expect.has("needed")) assertEquals(expect.str("needed"), e.needed, "needed on $check")
        assertEquals(expect.str("message"), e.message, "message on $check")
        return "feature ${words(e)}"
    }
    check.str("resource")?.let { id ->
        val e = p.explain(ExplainQuery.Resource(id, action!!))
        assertEquals(e.allowed, p.canResource(id, action), "explain and canResource on $check")
        assertEquals(expect["allow"].asBoolean, e.allowed, "allow on $check")
        assertEquals(expect["reason"].asString, code(e.reason), "reason on $check")
        assertEquals(expect.str("message"), e.message, "message on $check")
        return "resource ${words(e)}"
    }
    check.str("list")?.let { feature ->
        val ids = p.list(feature, action!!)
        assertEquals(expect["ids"].asJsonArray.map { it.asString }, ids, "list on $check")
        return "list ids=${ids.joinToString(",")}"
    }
    if (check.has("menu")) {
        val ids = visibleIds(p.filterMenu(nav))
        assertEquals(expect["visible"].asJsonArray.map { it.asString }, ids, "menu")
        return "menu visible=${ids.joinToString(",")}"
    }
    if (check.has("profile")) {
        if (p.format() == Format.LITE) {
            assertNull(p.profile(), "a lite snapshot has no profile")
            return null
        }
        val profile = p.profile() ?: fail("a full snapshot has a profile")
        val roles = profile.roles.map { "${it.role}@${it.via}" }.sorted()
        val teams = profile.teams.map { it.id }.sorted()
        val wantRoles = expect["roles"].asJsonArray.map { val r = it.asJsonObject; "${r.str("role")}@${r.str("via")}" }.sorted()
        val wantTeams = expect["teams"].asJsonArray.map { it.asString }.sorted()
        assertEquals(wantRoles, roles, "profile roles")
        assertEquals(wantTeams, teams, "profile teams")
        return "profile roles=${roles.joinToString(",")} teams=${teams.joinToString(",")}"
    }
    fail("unknown check $check")
}

fun decisionTable(record: StringBuilder) {
    val cases = json("tests/vectors/decisions.json").asJsonObject["cases"].asJsonArray.map { it.asJsonObject }
    for (example in EXAMPLES) {
        val tree = nav(example)
        for (user in users(example)) {
            for ((format, token) in listOf("full" to fullToken(example, user), "lite" to liteToken(example, user))) {
                val p = load(token)
                assertEquals(if (format == "full") Format.FULL else Format.LITE, p.format())
                assertEquals(user, p.subject())
                cases.forEachIndexed { i, case ->
                    if (case.str("example") != example || case.str("user") != user) return@forEachIndexed
                    val line = answer(p, tree, case["check"].asJsonObject, case["expect"].asJsonObject)
                    if (line != null) record.append("$example/$user/$format #$i $line\n")
                }
                p.close()
            }
        }
    }
}

fun refusalCode(case: JsonObject): String {
    val o = case["options"].asJsonObject
    return try {
        val jwks = case.str("jwks")?.let { KeySet.parse(it) } ?: keys
        val clock = StepClock((o.get("now")?.asLong ?: NOW_S) * 1000)
        val opts = LoadOptions(
            jwks = jwks,
            audience = o.str("audience") ?: AUDIENCE,
            issuer = o.str("issuer"),
            subject = o.str("subject"),
            leeway = o.get("leeway")?.asLong?.toULong(),
            minSerial = o.get("minSerial")?.asLong?.toULong(),
            maxTokenBytes = o.get("maxTokenBytes")?.asLong?.toULong(),
            clock = clock,
        )
        val bundle = case.str("catalogue")?.let { Catalogue.load(it, opts) }
        Permslip.load(case.str("token")!!, opts.copy(catalogue = bundle))
        "(loaded)"
    } catch (e: PermslipException) {
        assertTrue(e.detail().isNotEmpty() && !e.detail().endsWith("."), "message style: ${e.detail()}")
        e.code()
    }
}

fun refusals(record: StringBuilder) {
    for (c in json("tests/vectors/refusals.json").asJsonObject["cases"].asJsonArray.map { it.asJsonObject }) {
        val got = refusalCode(c)
        assertEquals(c.str("code"), got, "refusal ${c.str("name")}")
        record.append("refusal ${c.str("name")} $got\n")
    }
}

fun main(args: Array<String>) {
    root = File(args[0])
    liteDir = File(args[1])
    val record = StringBuilder()

    test("the decision table over every example user, full and lite") { decisionTable(record) }
    test("every refusal of the corpus fails with its code") { refusals(record) }

    test("refusals are typed: one exception hierarchy, a code, the core's message") {
        val e = try {
            Permslip.load(fullToken("ampliflow", "member"), options().copy(audience = "other-app"))
            fail("loaded for another audience")
        } catch (e: PermslipException.WrongAudience) {
            e
        }
        assertEquals("wrong_audience", e.code())
        assertEquals("token is for another audience", e.detail)
        val bad = try {
            KeySet.parse("{")
            fail("parsed a broken key set")
        } catch (e: PermslipException.InvalidKeySet) {
            e
        }
        assertEquals("invalid_key_set", bad.code())
        val empty = try {
            Permslip.load(fullToken("ampliflow", "member"), options().copy(audience = ""))
            fail("loaded without an audience")
        } catch (e: PermslipException.InvalidArgument) {
            e
        }
        assertEquals("invalid_argument", empty.code())
    }

    test("metadata: subject, issuer, serial, expiry, levels, key ids") {
        val p = load(fullToken("ampliflow", "member"))
        assertEquals("member", p.subject())
        assertEquals("permslip-test", p.issuer())
        assertEquals(1UL, p.serial())
        assertEquals(Instant.ofEpochSecond(EXPIRES_AT), p.expiresAt())
        assertFalse(p.expired())
        assertEquals(listOf("user", "reader", "editor", "owner"), p.levels())
        assertEquals(listOf("test-1", "test-2"), keys.kids())
        val lite = load(liteToken("ampliflow", "member"))
        assertEquals(p.levels(), lite.levels())
        assertEquals(p.expiresAt(), lite.expiresAt())
        assertEquals(catalogue.hash().length, 43)
    }

    test("after expiry every check denies with reason expired, and a clock stepping back does not revive it") {
        for (token in listOf(fullToken("ampliflow", "administrator"), liteToken("ampliflow", "administrator"))) {
            val clock = StepClock(NOW_S * 1000)
            val p = load(token, clock)
            val h = p.handle("profile.view")
            assertTrue(p.can("profile.view") && p.check(h) && p.visible("competencies"))
            clock.ms.set((EXPIRES_AT + 59) * 1000 + 999)
            assertTrue(p.can("profile.view"), "inside the leeway")
            clock.ms.set((EXPIRES_AT + 60) * 1000)
            assertTrue(p.expired())
            assertFalse(p.can("profile.view"))
            assertFalse(p.check(h))
            assertEquals(listOf(false), p.checkMany(listOf(h)))
            assertFalse(p.visible("competencies"))
            assertNull(p.featureLevel("competencies"))
            assertFalse(p.canFeature("competencies", "view"))
            assertEquals(emptyList(), p.filterMenu(nav("ampliflow")))
            val e = p.explain(ExplainQuery.Permission("profile.view", null))
            assertEquals(Reason.EXPIRED, e.reason)
            assertFalse(e.allowed)
            assertEquals("snapshot expired at 2100-01-01T00:00:00.000Z", e.message)
            clock.ms.set(NOW_S * 1000)
            assertTrue(p.expired(), "a clock stepping back does not revive it")
            assertFalse(p.can("profile.view"))
            p.profile()?.let { assertTrue(it.permissions.isEmpty() && it.levels.isEmpty()) }
        }
    }

    test("one checker shared by 8 threads answers as it does alone") {
        val cases = json("tests/vectors/decisions.json").asJsonObject["cases"].asJsonArray.map { it.asJsonObject }
            .filter { it.str("example") == "amplify" && it.str("user") == "manager" && it["check"].asJsonObject.has("can") }
        for (token in listOf(fullToken("amplify", "manager"), liteToken("amplify", "manager"))) {
            val p = load(token)
            val handles = cases.map { val c = it["check"].asJsonObject; p.handle(c.str("can")!!, c.str("scope")) }
            val alone = handles.map { p.check(it) }
            val menuAlone = visibleIds(p.filterMenu(nav("amplify")))
            val pool = Executors.newFixedThreadPool(8)
            val results = (0 until 8).map {
                pool.submit<Boolean> {
                    (0 until 300).all { round ->
                        val i = round % handles.size
                        val c = cases[i]["check"].asJsonObject
                        p.check(handles[i]) == alone[i] &&
                            p.can(c.str("can")!!, c.str("scope")) == alone[i] &&
                            (round % 50 != 0 || visibleIds(p.filterMenu(nav("amplify"))) == menuAlone)
                    }
                }
            }
            assertTrue(results.all { it.get(60, TimeUnit.SECONDS) }, "a thread saw another answer")
            pool.shutdown()
        }
    }

    test("hostile tokens and names give a typed error or a deny, nothing else") {
        val rnd = Random(7)
        val good = fullToken("ampliflow", "member")
        repeat(2000) { round ->
            val token = when (round % 4) {
                0 -> String(CharArray(rnd.nextInt(0, 300)) { (rnd.nextInt(0, 0x2FF)).toChar() })
                1 -> good.substring(0, rnd.nextInt(0, good.length))
                2 -> good.toCharArray().also { val i = rnd.nextInt(good.length); it[i] = "AB.-_x!é".random(rnd) }.concatToString()
                else -> liteToken("ampliflow", "member").let { it.substring(0, rnd.nextInt(0, it.length)) }
            }
            try {
                load(token).close()
            } catch (e: PermslipException) {
                assertTrue(e.code().isNotEmpty())
            }
        }
        val p = load(good)
        for (name in listOf("x".repeat(100_000), "é😀", "\u0000", "")) {
            assertFalse(p.can(name, name))
            assertNull(p.featureLevel(name))
            assertFalse(p.canResource(name, name))
            assertEquals(Reason.UNKNOWN_PERMISSION, p.explain(ExplainQuery.Permission(name, null)).reason)
        }
        // A lone surrogate is not UTF-8: the generated binding refuses it before it reaches Rust.
        kotlin.test.assertFailsWith<java.nio.charset.CharacterCodingException> { p.can("\ud800") }
        assertFalse(p.check(0xFFFF_FFFFu))
        assertFalse(p.check(0x7000_0000u))
        val deep = (0 until 100).fold(NavItem(id = "leaf")) { inner, i -> NavItem(id = "g$i", children = listOf(inner)) }
        try {
            p.filterMenu(listOf(deep))
            fail("a 101-level menu was walked")
        } catch (e: PermslipException.LimitExceeded) {
            assertEquals("limit_exceeded", e.code())
        }
    }

    File(args[2]).writeText(record.toString())
    println("$passed passed, $failed failed")
    if (failed > 0) kotlin.system.exitProcess(1)
}
