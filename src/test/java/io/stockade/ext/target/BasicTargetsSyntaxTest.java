package io.stockade.ext.target;

import static io.stockade.ext.target.TargetHarness.addError;
import static io.stockade.ext.target.TargetHarness.error;
import static io.stockade.ext.target.TargetHarness.print;
import static io.stockade.ext.target.TargetHarness.save;
import static io.stockade.ext.target.TargetHarness.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.stockade.conntrack.Conn;
import io.stockade.engine.Emitter;
import io.stockade.engine.Skb;
import io.stockade.engine.TargetAction;
import io.stockade.engine.Verdict;
import io.stockade.rules.Family;
import io.stockade.rules.Hook;
import io.stockade.rules.TableKind;
import org.junit.jupiter.api.Test;

/**
 * REJECT, LOG, MARK and CONNMARK: save and {@code -L} forms and error texts as iptables 1.8.9
 * (legacy) printed them in a throwaway namespace, plus the mark arithmetic.
 */
class BasicTargetsSyntaxTest {
    private static final Family V4 = Family.IPV4;
    private static final Family V6 = Family.IPV6;
    private static final TableKind FILTER = TableKind.FILTER;
    private static final TableKind MANGLE = TableKind.MANGLE;

    @Test
    void rejectNamesAliasesAndPrefixes() {
        assertEquals("-j REJECT --reject-with icmp-port-unreachable", save(spec("-j REJECT")));
        assertEquals("-j REJECT --reject-with icmp-net-unreachable", save(spec("-j REJECT --reject-with icmp-net")));
        assertEquals("-j REJECT --reject-with icmp-net-unreachable", save(spec("-j REJECT --reject-with \"\"")));
        assertEquals("-j REJECT --reject-with icmp-admin-prohibited", save(spec("-j REJECT --reject-with admin-prohib")));
        assertEquals("-j REJECT --reject-with icmp-host-prohibited", save(spec("-j REJECT --reject-with HOST-PROHIB")));
        assertEquals("-j REJECT --reject-with tcp-reset", save(spec("-p tcp -j REJECT --reject-with tcp-rst")));
        assertEquals("reject-with icmp-proto-unreachable", print(spec("-j REJECT --reject-with proto-unreach"), true));
        assertEquals("-j REJECT --reject-with icmp6-port-unreachable", save(spec(V6, FILTER, "-j REJECT")));
        assertEquals("-j REJECT --reject-with icmp6-no-route", save(spec(V6, FILTER, "-j REJECT --reject-with \"\"")));
        assertEquals("-j REJECT --reject-with icmp6-adm-prohibited",
                save(spec(V6, FILTER, "-j REJECT --reject-with adm-prohibited")));
        assertEquals("-j REJECT --reject-with icmp6-reject-route",
                save(spec(V6, FILTER, "-j REJECT --reject-with reject-route")));
    }

    @Test
    void rejectErrors() {
        assertEquals("unknown reject type \"foo\"", error(V4, FILTER, "-j REJECT --reject-with foo"));
        assertEquals("unknown reject type \"echo-reply\"", error(V4, FILTER, "-j REJECT --reject-with echo-reply"));
        assertEquals("unknown reject type \"icmp6-not-neighbor\"",
                error(V6, FILTER, "-j REJECT --reject-with icmp6-not-neighbor"));
        assertEquals("unknown reject type \"icmp-net-unreachable\"",
                error(V6, FILTER, "-j REJECT --reject-with icmp-net-unreachable"));
        assertEquals("REJECT: option \"--reject-with\" can only be used once.\n",
                error(V4, FILTER, "-p tcp -j REJECT --reject-with tcp-reset --reject-with icmp-host-unreachable"));
        String einval = "Invalid argument. Run `dmesg' for more information.";
        assertEquals(einval, addError(V4, FILTER, Hook.INPUT, "-j REJECT --reject-with tcp-reset"));
        assertEquals(einval, addError(V4, FILTER, Hook.INPUT, "! -p tcp -j REJECT --reject-with tcp-reset"));
        assertEquals(einval, addError(V4, MANGLE, Hook.INPUT, "-j REJECT"));
        assertEquals(einval, addError(V4, TableKind.RAW, Hook.PREROUTING, "-j REJECT"));
        assertNull(addError(V4, FILTER, Hook.FORWARD, "-p tcp -j REJECT --reject-with tcp-reset"));
    }

    @Test
    void logSaveAndListForms() {
        assertEquals("-j LOG", save(spec("-j LOG --log-level warning")));
        assertEquals("-j LOG --log-prefix 01234567890123456789012345678",
                save(spec("-j LOG --log-prefix 0123456789012345678901234567890123")));
        assertEquals("-j LOG --log-level 0 --log-tcp-sequence --log-tcp-options --log-ip-options --log-uid --log-macdecode",
                save(spec("-j LOG --log-level emerg --log-uid --log-macdecode --log-tcp-options --log-ip-options "
                        + "--log-tcp-sequence")));
        assertEquals("-j LOG --log-level 3", save(spec("-j LOG --log-level 0x3")));
        assertEquals("-j LOG --log-level 3", save(spec("-j LOG --log-level 03")));
        assertEquals("-j LOG --log-prefix \"x y\"", save(spec(V6, FILTER, "-j LOG --log-level 4 --log-prefix \"x y\"")));
        TargetHarnessQuoting.assertLogPrefixEscapes();
        assertEquals("LOG level emerg tcp-sequence tcp-options ip-options uid macdecode",
                print(spec("-j LOG --log-level emerg --log-uid --log-macdecode --log-tcp-options --log-ip-options "
                        + "--log-tcp-sequence"), false));
        assertEquals("LOG flags 8 level 4 prefix \"test: \"", print(spec("-j LOG --log-prefix \"test: \" --log-uid"), true));
        assertEquals("LOG level alert prefix \"test: \"",
                print(spec("-j LOG --log-prefix \"test: \" --log-level 1"), false));
        assertEquals("LOG level err", print(spec("-j LOG --log-level error"), false));
    }

    @Test
    void logErrors() {
        assertEquals("log level \"bad\" unknown\n", error(V4, FILTER, "-j LOG --log-level bad"));
        assertEquals("log level \"8\" unknown\n", error(V4, FILTER, "-j LOG --log-level 8"));
        assertEquals("option \"--log-prefix\" requires an argument", error(V4, FILTER, "-j LOG --log-prefix"));
        assertEquals("Argument must have a minimum length of 1 characters\n",
                error(V4, FILTER, "-j LOG --log-prefix \"\""));
        assertEquals("LOG: option \"--log-level\" can only be used once.\n",
                error(V4, FILTER, "-j LOG --log-level 1 --log-level 2"));
    }

    @Test
    void markForms() {
        assertEquals("-j MARK --set-xmark 0x1/0x3", save(spec("-j MARK --set-mark 1/2")));
        assertEquals("-j MARK --set-xmark 0x0/0xfffffff0", save(spec("-j MARK --and-mark 0x0f")));
        assertEquals("-j MARK --set-xmark 0x3/0x3", save(spec("-j MARK --or-mark 0x3")));
        assertEquals("-j MARK --set-xmark 0x3/0x0", save(spec("-j MARK --xor-mark 3")));
        assertEquals("-j MARK --set-xmark 0x7/0xffffffff", save(spec("-j MARK --set-mark 7")));
        assertEquals("MARK xset 0x1/0x3", print(spec("-j MARK --set-mark 1/2"), false));
        assertEquals("MARK and 0xf", print(spec("-j MARK --and-mark 0x0f"), false));
        assertEquals("MARK or 0x3", print(spec("-j MARK --or-mark 3"), false));
        assertEquals("MARK xor 0x3", print(spec("-j MARK --xor-mark 3"), false));
        assertEquals("MARK set 0x7", print(spec("-j MARK --set-xmark 7"), false));
        assertEquals("MARK and 0x0", print(spec("-j MARK --set-xmark 0x0"), false));
        assertEquals("MARK: bad value for option \"--and-mark\", or out of range (0-4294967295).\n",
                error(V4, MANGLE, "-j MARK --and-mark 1/2"));
        assertEquals("MARK: bad integer value for option \"--set-mark\", or out of range.\n",
                error(V4, MANGLE, "-j MARK --set-mark 0x100000000"));
        assertEquals("MARK: option \"--set-mark\" cannot be used together with \"--and-mark\".\n",
                error(V4, FILTER, "-j MARK --set-mark 1 --and-mark 2"));
        assertEquals("MARK: One of the --set-xmark, --{and,or,xor,set}-mark options is required",
                error(V4, FILTER, "-j MARK"));
    }

    /** Save, -L -n and checkentry of CT as iptables 1.8.9 (legacy) printed them in a namespace. */
    @Test
    void ctForms() {
        TableKind raw = TableKind.RAW;
        String[][] cases = {
            {"-p tcp -j CT --helper ftp", "-j CT --helper ftp", "CT helper ftp"},
            {"-j CT --zone-orig 5", "-j CT --zone-orig 5", "CT zone-orig 5"},
            {"-j CT --zone-reply mark", "-j CT --zone-reply mark", "CT zone-reply mark"},
            {"-j CT --zone mark", "-j CT --zone mark", "CT zone mark"},
            {"-j CT --notrack --zone 3", "-j CT --notrack --zone 3", "CT notrack zone 3"},
            {"-j CT --zone 0", "-j CT", "CT"},
        };
        for (String[] c : cases) {
            assertEquals(c[1], save(spec(V4, raw, c[0])));
            assertEquals(c[2], print(spec(V4, raw, c[0]), true));
            assertNull(addError(V4, raw, Hook.PREROUTING, c[0]));
        }
        assertEquals("No chain/target/match by that name.", addError(V4, raw, Hook.PREROUTING, "-p tcp -j CT --helper tftp"));
        assertEquals("No chain/target/match by that name.", addError(V4, raw, Hook.PREROUTING, "-j CT --helper ftp"));
        assertEquals("Unknown event type \"foo\"", error(V4, raw, "-j CT --ctevents new,foo"));
        assertEquals("Cannot parse 65536 as a zone ID", error(V4, raw, "-j CT --zone 65536"));
        assertEquals("Invalid argument. Run `dmesg' for more information.", addError(V4, FILTER, Hook.INPUT, "-j CT --notrack"));
    }

    @Test
    void hmarkNeedsATuple() {
        assertEquals("you have to specify --hmark-tuple at least",
                error(V4, MANGLE, "-j HMARK --hmark-rnd 0x1 --hmark-mod 65536"));
        assertEquals("--hmark-mod is mandatory", error(V4, MANGLE, "-j HMARK"));
    }

    @Test
    void markArithmetic() {
        Skb skb = new Skb();
        skb.mark = 0xff00;
        run(spec("-j MARK --set-mark 0x5/0xf"), skb);
        assertEquals(0xff05, skb.mark);
        run(spec("-j MARK --and-mark 0xf0f"), skb);
        assertEquals(0x0f05, skb.mark);
        run(spec("-j MARK --or-mark 0x30"), skb);
        assertEquals(0x0f35, skb.mark);
        run(spec("-j MARK --xor-mark 0x11"), skb);
        assertEquals(0x0f24, skb.mark);
        run(spec("-j MARK --set-xmark 0x1/0xff"), skb);
        assertEquals(0x0f01, skb.mark);
    }

    @Test
    void connmarkForms() {
        assertEquals("-j CONNMARK --set-xmark 0x5/0xff", save(spec(V4, MANGLE, "-j CONNMARK --set-xmark 0x5/0xff")));
        assertEquals("-j CONNMARK --set-xmark 0x5/0xf5", save(spec(V4, MANGLE, "-j CONNMARK --set-mark 5/0xf0")));
        assertEquals("-j CONNMARK --set-xmark 0x1/0x3", save(spec(V4, MANGLE, "-j CONNMARK --set-mark 0x1/0x1 --mask 3")));
        assertEquals("-j CONNMARK --set-xmark 0x1/0xffffffff", save(spec(V4, MANGLE, "-j CONNMARK --set-mark 1 --nfmask 2")));
        assertEquals("-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xff",
                save(spec(V4, MANGLE, "-j CONNMARK --save-mark --mask 0xff")));
        assertEquals("-j CONNMARK --restore-mark --nfmask 0xffffffff --ctmask 0xf",
                save(spec(V4, MANGLE, "-j CONNMARK --restore-mark --ctmask 0xf")));
        assertEquals("CONNMARK save mask 0xff", print(spec(V4, MANGLE, "-j CONNMARK --save-mark --mask 0xff"), false));
        assertEquals("CONNMARK restore mask 0xff", print(spec(V4, MANGLE, "-j CONNMARK --restore-mark --mask 0xff"), false));
        assertEquals("CONNMARK save nfmask 0xff ctmask ~0xffffffff",
                print(spec(V4, MANGLE, "-j CONNMARK --save-mark --nfmask 0xff"), false));
        assertEquals("CONNMARK restore ctmask 0xf nfmask ~0xffffffff",
                print(spec(V4, MANGLE, "-j CONNMARK --restore-mark --ctmask 0xf"), false));
        assertEquals("CONNMARK and 0xf", print(spec(V4, MANGLE, "-j CONNMARK --and-mark 0xf"), false));
        assertEquals("CONNMARK set 0x5", print(spec(V4, MANGLE, "-j CONNMARK --set-mark 5"), false));
        assertEquals("CONNMARK target: No operation specified", error(V4, MANGLE, "-j CONNMARK"));
        assertEquals("CONNMARK target: No operation specified", error(V4, MANGLE, "-j CONNMARK --nfmask 1"));
        assertEquals("CONNMARK: option \"--set-mark\" cannot be used together with \"--save-mark\".\n",
                error(V4, MANGLE, "-j CONNMARK --set-mark 1 --save-mark"));
        assertEquals("CONNMARK: option \"--nfmask\" cannot be used together with \"--mask\".\n",
                error(V4, MANGLE, "-j CONNMARK --save-mark --mask 1 --nfmask 2"));
    }

    @Test
    void connmarkArithmetic() {
        Skb skb = new Skb();
        TargetAction save = (TargetAction) spec(V4, MANGLE, "-j CONNMARK --save-mark --nfmask 0xff --ctmask 0xf0f");
        skb.mark = 0x1234;
        assertEquals(Verdict.CONTINUE, save.execute(skb, Emitter.NONE));
        skb.conn = new Conn();
        skb.conn.mark = 0xffff;
        save.execute(skb, Emitter.NONE);
        assertEquals((0xffff & ~0xf0f) ^ (0x1234 & 0xff), skb.conn.mark);
        run(spec(V4, MANGLE, "-j CONNMARK --restore-mark --mask 0xf"), skb);
        assertEquals((0x1234 & ~0xf) ^ (skb.conn.mark & 0xf), skb.mark);
        run(spec(V4, MANGLE, "-j CONNMARK --set-xmark 0x3/0xff"), skb);
        assertEquals(0xf003, skb.conn.mark);
    }

    private static void run(io.stockade.rules.TargetSpec s, Skb skb) {
        assertEquals(Verdict.CONTINUE, ((TargetAction) s).execute(skb, Emitter.NONE));
    }
}
