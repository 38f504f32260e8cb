#!/usr/bin/env bash
# Command-line behaviour: exit statuses, error messages, help. Usage: cli_test.sh TCPSIM SOURCE_DIR
set -u
tcpsim=$1
src=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0

# expect NAME STATUS PATTERN -- COMMAND...: the command exits with STATUS and its
# stdout+stderr matches the extended regex PATTERN.
expect() {
    local name=$1 want=$2 pattern=$3
    shift 4
    local out status
    out=$("$@" 2>&1)
    status=$?
    if [ "$status" -eq "$want" ] && grep -Eq -- "$pattern" <<<"$out"; then
        passed=$((passed + 1))
    else
        failed=$((failed + 1))
        printf 'FAIL %s: exit %s (wanted %s), output:\n%s\n' "$name" "$status" "$want" "$out"
    fi
}

printf '{"hosts": {"a": {"address": "10.0.0.1"},\n  "links": []}\n' > "$tmp/malformed.json"
printf '{"hosts": {"a": {"address": "10.0.0.1", "colour": "red"}}}\n' > "$tmp/unknown_key.json"
printf '{"hosts": {"a": {"address": "10.0.0.1"}, "b": {"address": "10.0.0.2"}}, "links": [{"between": ["a", "b"], "delay": 5}]}\n' > "$tmp/unitless.json"
sed 's/"count": 2,/"count": 3,/' "$src/scenarios/lost_final_ack.json" > "$tmp/failing.json"

expect "run prints a timeline" 0 "LAST_ACK -> CLOSED" -- "$tcpsim" run "$src/scenarios/lost_final_ack.json"
expect "run --json starts with the run line" 0 '^\{"t_ns":0,"type":"run","event":"start"' -- "$tcpsim" run --json "$src/scenarios/lost_final_ack.json"
expect "malformed JSON names file, line and column" 2 "malformed.json: .*line 3, column" -- "$tcpsim" run "$tmp/malformed.json"
expect "an unknown key names its JSON pointer" 2 "unknown_key.json: /hosts/a/colour" -- "$tcpsim" run "$tmp/unknown_key.json"
expect "a unit-less duration is rejected" 2 "/links/0/delay: expected .*found 5" -- "$tcpsim" run "$tmp/unitless.json"
expect "a missing file is bad input" 2 "no such file" -- "$tcpsim" run "$tmp/absent.json"
expect "check passes the catalogue" 0 "passed, 0 failed" -- "$tcpsim" check "$src/scenarios"
expect "check reports a failed expectation with expected vs actual" 1 "/expect/1: expected exactly 3 FIN\|ACK segments sent by server, actual 2" -- "$tcpsim" check "$tmp/failing.json"
expect "check with a malformed file exits 2" 2 "ERROR" -- "$tcpsim" check "$tmp/malformed.json" "$src/scenarios/lost_syn.json"
expect "--set overrides a field" 0 "TIME_WAIT -> CLOSED  TIME-WAIT timeout: 2 x MSL" -- "$tcpsim" run --set hosts.client.msl=1s "$src/scenarios/lost_final_ack.json"
expect "--set with a bad value is bad input" 2 "/hosts/client/msl" -- "$tcpsim" run --set hosts.client.msl=-1s "$src/scenarios/lost_final_ack.json"
expect "--help lists the subcommands" 0 "profiles +List OS profiles" -- "$tcpsim" --help
expect "run --help describes its options" 0 "--json" -- "$tcpsim" run --help
expect "a missing argument is a usage error" 2 "FILE is required" -- "$tcpsim" run
expect "profiles lists each profile's knobs" 0 "linux: .*" -- "$tcpsim" profiles
expect "profiles shows the send MSS floors" 0 "net.inet.tcp.minmss = 216" -- "$tcpsim" profiles
expect "graph writes the RFC diagram as DOT" 0 '"FIN-WAIT-2" -> "TIME-WAIT"' -- "$tcpsim" graph
expect "graph counts the catalogue's coverage" 0 "of 29 transitions of the RFC 9293 diagram covered" -- "$tcpsim" graph "$src/scenarios"

mkdir "$tmp/empty"
expect "run shows relative sequence numbers" 0 "send +SYN +seq=0 ack=0" -- "$tcpsim" run "$src/scenarios/lost_final_ack.json"
expect "run --absolute shows raw ones" 0 "send +SYN +seq=[1-9][0-9]* ack=0" -- "$tcpsim" run --absolute "$src/scenarios/lost_final_ack.json"
expect "run --host keeps one host" 0 "^ +[0-9.]+  server" -- "$tcpsim" run --host server "$src/scenarios/lost_final_ack.json"
expect "run --host with an unknown host is bad usage" 2 "--host nobody: no host of that name" -- "$tcpsim" run --host nobody "$src/scenarios/lost_final_ack.json"
expect "run --socket with an unknown socket is bad usage" 2 "--socket zz: no socket of that name" -- "$tcpsim" run --socket zz "$src/scenarios/lost_final_ack.json"
expect "run --from with a bad time is bad usage" 2 "--from soon: expected a time" -- "$tcpsim" run --from soon "$src/scenarios/lost_final_ack.json"
expect "run --explain says why" 0 "why: The peer sent its FIN again, so our last ACK was lost" -- "$tcpsim" run --explain "$src/scenarios/lost_final_ack.json"
expect "run --color always colours" 0 $'\x1b\\[32msend' -- "$tcpsim" run --color always "$src/scenarios/lost_final_ack.json"
expect "run to a full disk reports the lost output" 4 "tcpsim: cannot write output: No space left on device" -- sh -c '"$0" run "$1" > /dev/full' "$tcpsim" "$src/scenarios/lost_final_ack.json"
expect "run --json to a full disk reports it too" 4 "cannot write output: No space left on device" -- sh -c '"$0" run --json "$1" > /dev/full' "$tcpsim" "$src/scenarios/lost_final_ack.json"
expect "run --pcap to a full disk reports the lost capture" 4 "tcpsim: cannot write /dev/full: No space left on device" -- "$tcpsim" run --pcap /dev/full "$src/scenarios/lost_final_ack.json"
expect "run --pcap into a missing directory says so before the run" 4 "cannot write $tmp/absent/x.pcap: No such file or directory" -- "$tcpsim" run --pcap "$tmp/absent/x.pcap" "$src/scenarios/lost_final_ack.json"
expect "run --pcap-dir over a file says so" 4 "cannot write $tmp/malformed.json: Not a directory" -- "$tcpsim" run --pcap-dir "$tmp/malformed.json" "$src/scenarios/lost_final_ack.json"
expect "run --pcap-host with an unknown host is bad usage" 2 "--pcap-host nobody: no host of that name in .*lost_final_ack.json" -- "$tcpsim" run --pcap "$tmp/x.pcap" --pcap-host nobody "$src/scenarios/lost_final_ack.json"
expect "run --pcap-host needs --pcap" 2 "--pcap-host requires --pcap" -- "$tcpsim" run --pcap-host server "$src/scenarios/lost_final_ack.json"
expect "run --pcap-dir creates its directory, one capture per host" 0 "^client.pcap server.pcap$" -- sh -c '"$0" run --pcap-dir "$1/caps/new" "$2" > /dev/null && ls "$1/caps/new" | paste -sd " "' "$tcpsim" "$tmp" "$src/scenarios/lost_final_ack.json"
expect "run with stdout closed reports it" 4 "cannot write output: Bad file descriptor" -- sh -c '"$0" run "$1" >&-' "$tcpsim" "$src/scenarios/lost_final_ack.json"
expect "check to a full disk reports it" 4 "cannot write output: No space left on device" -- sh -c '"$0" check "$1" > /dev/full' "$tcpsim" "$src/scenarios/lost_syn.json"
expect "profiles to a full disk reports it" 4 "cannot write output" -- sh -c '"$0" profiles > /dev/full' "$tcpsim"
expect "graph to a full disk reports it" 4 "cannot write output" -- sh -c '"$0" graph > /dev/full' "$tcpsim"
expect "check of a directory without scenarios is an error" 2 "empty: no scenario files" -- "$tcpsim" check "$tmp/empty"
expect "run --ladder draws the ladder instead of the timeline" 0 '\|-- ACK seq 2 ack 2 --x +\|  lost \(fault: lose the client' -- "$tcpsim" run --ladder "$src/scenarios/lost_final_ack.json"
expect "run --ladder --host keeps that host's arrows" 0 "TIME_WAIT 60s until 61.020" -- "$tcpsim" run --ladder --host client "$src/scenarios/lost_final_ack.json"
expect "run --ladder says on stderr when it is capped" 0 "ladder: 9 segments, showing the first 3; narrow it with --socket/--from/--until" -- sh -c '"$0" run --ladder --ladder-segments 3 "$1" 2>&1 >/dev/null' "$tcpsim" "$src/scenarios/lost_final_ack.json"
expect "run --ladder and --json exclude each other" 2 "excludes" -- "$tcpsim" run --ladder --json "$src/scenarios/lost_final_ack.json"
expect "run --svg writes the file and still prints the timeline" 0 "LAST_ACK -> CLOSED" -- "$tcpsim" run --svg "$tmp/l.svg" "$src/scenarios/lost_final_ack.json"
expect "run --svg into a missing directory reports it" 4 "cannot write .*nowhere/l.svg" -- "$tcpsim" run --svg "$tmp/nowhere/l.svg" "$src/scenarios/lost_final_ack.json"

pe="$src/scenarios/port_exhaustion.json"
expect "run --metrics writes a CSV with a t_s column" 0 "" -- "$tcpsim" run "$pe" --metrics "$tmp/m.csv"
expect "the metrics CSV starts with its header" 0 "^t_s,client.LISTEN,client.SYN_SENT," -- head -1 "$tmp/m.csv"
expect "--metrics-interval 0 is bad usage" 2 "--metrics-interval 0s: expected a duration greater than 0" -- "$tcpsim" run "$pe" --metrics "$tmp/m.csv" --metrics-interval 0s
expect "--metrics-interval must parse" 2 "--metrics-interval fast: expected a duration such as \"100ms\"" -- "$tcpsim" run "$pe" --metrics "$tmp/m.csv" --metrics-interval fast
expect "--metrics-interval needs a metrics output" 2 "--metrics-interval needs --metrics FILE or --metrics-svg FILE" -- "$tcpsim" run "$pe" --metrics-interval 1s
expect "too many metrics rows name the interval to raise" 2 "--metrics-interval 100us gives 1,210,041 rows .* more than the cap of 1,000,000: .* raise --metrics-interval to 200us or more" -- "$tcpsim" run "$pe" --metrics-svg "$tmp/m.svg" --metrics-interval 100us
expect "--metrics to a full disk reports it" 4 "cannot write /dev/full: No space left on device" -- "$tcpsim" run "$pe" --metrics /dev/full
expect "--metrics-svg into a missing directory reports it" 4 "cannot write $tmp/no/m.svg: No such file or directory" -- "$tcpsim" run "$pe" --metrics-svg "$tmp/no/m.svg"

expect "run - reads the scenario from standard input" 0 "LAST_ACK -> CLOSED" -- sh -c '"$0" run - < "$1"' "$tcpsim" "$src/scenarios/lost_final_ack.json"
expect "check - names standard input" 0 "PASS  stdin  \\(.*<stdin>\\)" -- sh -c '"$0" check - < "$1"' "$tcpsim" "$src/scenarios/lost_syn.json"
expect "an error in standard input says <stdin>" 2 "<stdin>: \\(document\\): expected valid JSON" -- sh -c 'echo "{" | "$0" run -' "$tcpsim"

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
