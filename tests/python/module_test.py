"""The Python module `etcetera`, as a notebook uses it: what each call does,
and that every mistake a student can make is an etcetera.Error that says
what to do, never a crash.

  module_test.py MODULE_DIR    (build/python)
"""

import sys
import unittest

sys.path.insert(0, sys.argv.pop(1) if len(sys.argv) > 1 else "build/python")
import etcetera as et  # noqa: E402


def elected(**options):
    c = et.Cluster(**options)
    assert c.run_until(lambda c: c.leader() is not None, max_ticks=200) is not None
    return c


class ClusterTest(unittest.TestCase):
    def test_a_cluster_elects_a_leader_and_commits_a_proposal_on_every_node(self):
        c = elected(nodes=5, seed=3)
        index = c.propose("x")
        ticks = c.run_until(lambda c: all(n["commit"] >= index for n in c.nodes()))
        self.assertIsNotNone(ticks)
        for i in c.ids:
            self.assertEqual(c.log(i)[index - 1]["data"], b"x")
        self.assertIsNone(c.violation)

    def test_the_same_seed_gives_the_same_run_and_another_seed_another(self):
        def run(seed):
            c = elected(nodes=3, seed=seed, delay=(1, 3))
            return c.trace().lines()
        self.assertEqual(run(5), run(5))
        self.assertNotEqual(run(5), run(6))

    def test_step_is_one_move_and_only_a_tick_moves_the_clock(self):
        c = et.Cluster(nodes=3, seed=2, delay=(1, 2))
        moves = set()
        while c.leader() is None:
            before = c.now
            s = c.step()
            moves.add(s["move"])
            self.assertEqual(c.now, before + (1 if s["move"] == "tick" else 0))
            self.assertEqual(s["time"], c.now)
        self.assertEqual(moves, {"tick", "ready", "message"})

    def test_run_until_says_none_when_the_condition_never_holds(self):
        c = et.Cluster(nodes=3)
        self.assertIsNone(c.run_until(lambda c: False, max_ticks=5))
        self.assertEqual(c.now, 5)
        self.assertEqual(c.run_until(lambda c: True), 0)
        # The condition counts by Python's truth, as an `if` would.
        self.assertIsNotNone(c.run_until(lambda c: c.leader()))
        self.assertEqual(c.run_until(lambda c: [c.leader()]), 0)
        self.assertIsNone(c.run_until(lambda c: "", max_ticks=3))

    def test_election_spread_zero_gives_every_node_the_same_timeout(self):
        same = et.Cluster(nodes=5, election_tick=20, election_spread=0)
        self.assertEqual({n["election_timeout"] for n in same.nodes()}, {20})
        narrow = et.Cluster(nodes=5, election_tick=20, election_spread=2)
        self.assertTrue({n["election_timeout"] for n in narrow.nodes()} <= {20, 21})

    def test_a_minority_cannot_commit_and_heals_back(self):
        c = elected(nodes=5, seed=2, delay=(1, 2))
        old = c.leader()
        c.isolate(old)
        index = c.propose("lost", node=old)
        c.advance(60)
        self.assertLess(c.node(old)["commit"], index)
        self.assertNotEqual(c.leader(), old)
        c.heal()
        c.advance(40)
        self.assertNotIn(b"lost", [e["data"] for e in c.log(old)])

    def test_a_crashed_node_restarts_from_its_disk(self):
        c = elected(nodes=3, seed=1)
        c.propose("kept")
        c.advance(5)
        victim = next(i for i in c.ids if i != c.leader())
        c.crash(victim)
        self.assertEqual(c.node(victim)["role"], "Down")
        self.assertIn(b"kept", [e["data"] for e in c.log(victim)])
        c.restart(victim)
        self.assertTrue(c.node(victim)["up"])

    def test_a_bug_breaks_an_invariant_and_the_cluster_says_which(self):
        run = et.run_kv(seed=2, steps=400, bug="figure8")
        self.assertIsNotNone(run.violation)
        self.assertIsNone(et.run_kv(seed=2, steps=400).violation)

    def test_mistakes_are_errors_with_a_message(self):
        cases = [
            (lambda: et.Cluster(bug="nope"), "no bug 'nope': figure8"),
            (lambda: et.Cluster(election_tick=1), "election_tick (1) must be greater"),
            (lambda: et.Cluster(election_spread=-2), "election_spread (-2) must be 0 or more"),
            (lambda: et.Cluster(nodes=0), "nodes must be 1 to 9"),
            (lambda: et.Cluster(drop_rate=1.5), "drop_rate must be between 0 and 1"),
            (lambda: et.Cluster(delay=(3, 1)), "with min <= max"),
            (lambda: et.Cluster().crash(7), "no node 7: the nodes are 1 to 3"),
            (lambda: et.Cluster().restart(1), "node 1 is running: crash it first"),
            (lambda: et.Cluster().propose("x"), "there is no leader to propose to"),
            (lambda: et.Cluster(kv=True).propose("x"), "use start_clients()"),
            (lambda: et.Cluster().start_clients(), "clients need a key-value cluster"),
            (lambda: et.Cluster(kv=True).history(), "call start_clients() first"),
            (lambda: et.Cluster(trace=False).trace(), "keeps no trace"),
            (lambda: et.Cluster().store(1), "no key-value store"),
            (lambda: et.run_kv(profile="nope"), "no fault profile 'nope'"),
            (lambda: et.Cluster().partition([[1], [1, 2]]), "node 1 is in two groups"),
            (lambda: et.Cluster(kv=True).start_lock_clients(write_every=0),
             "hold and write_every are in ticks"),
            (lambda: et.Cluster(kv=True).start_lock_clients(start_percent=500),
             "start_percent is a percentage: 0 to 100, not 500"),
            (lambda: et.Cluster(kv=True).start_clients(timeout=0), "timeout is in ticks"),
            (lambda: et.Cluster(kv=True).start_clients(get_percent=-1), "get_percent is a percentage"),
        ]
        for call, message in cases:
            with self.assertRaises(et.Error) as e:
                call()
            self.assertIn(message, str(e.exception))

    def test_a_follower_refuses_a_proposal_and_names_the_leader(self):
        c = elected(nodes=3, seed=1)
        follower = next(i for i in c.ids if i != c.leader())
        with self.assertRaises(et.Error) as e:
            c.propose("x", node=follower)
        self.assertIn(f"the leader it knows is {c.leader()}", str(e.exception))

    def test_kv_clients_write_a_history_and_every_store_agrees(self):
        c = elected(nodes=3, seed=4, kv=True)
        c.start_clients(clients=3, keys=2)
        c.advance(200)
        c.advance(100, new_operations=False)
        c.finish_clients()
        events = c.history().events()
        self.assertGreater(len(events), 20)
        self.assertEqual({e["type"] for e in events} - {"invoke", "ok", "fail", "info"}, set())
        stores = [c.store(i) for i in c.ids]
        self.assertTrue(stores[0])
        self.assertTrue(all(s == stores[0] for s in stores))
        self.assertTrue(et.check_linearizability(c.history()).ok)


class TraceTest(unittest.TestCase):
    def test_a_step_draws_as_svg_in_every_view_that_has_something(self):
        replay = elected(nodes=3, seed=1).trace().replay()
        for view in ["cluster", "log", "spacetime"]:
            svg = replay.svg(replay.steps, view)
            self.assertTrue(svg._repr_svg_().startswith("<svg"))
            self.assertIn("</svg>", svg.text)
        self.assertIn("digraph", replay.dot(1, "cluster"))

    def test_bad_steps_views_and_tags_are_errors(self):
        replay = elected(nodes=3, seed=1).trace().replay()
        with self.assertRaises(et.Error) as e:
            replay.svg(replay.steps + 1)
        self.assertIn("past the last step", str(e.exception))
        with self.assertRaises(et.Error) as e:
            replay.svg(1, "nope")
        self.assertIn("no view 'nope': cluster, log, spacetime, locks", str(e.exception))
        with self.assertRaises(et.Error) as e:
            replay.svg(1, "locks")
        self.assertIn("has nothing to draw at step 1", str(e.exception))
        with self.assertRaises(et.Error):
            replay.tagged("nope")
        with self.assertRaises(IndexError):
            elected(nodes=3).trace()[10**6]

    def test_tags_find_the_election_and_a_saved_trace_reads_back(self):
        c = elected(nodes=3, seed=1)
        trace = c.trace()
        replay = trace.replay()
        leader_steps = [k for k in replay.tagged("election") if "Leader" in replay.describe(k)]
        self.assertTrue(leader_steps)
        nodes = {n["id"]: n for n in replay.nodes(leader_steps[0])}
        self.assertEqual(nodes[c.leader()]["role"], "Leader")
        import os
        import tempfile
        path = os.path.join(tempfile.mkdtemp(), "trace.jsonl")
        trace.save(path)
        self.assertEqual(et.Trace(path).lines(), trace.lines())
        with self.assertRaises(et.Error):
            et.Trace(path + ".missing")


class ScriptTest(unittest.TestCase):
    def test_a_script_prints_what_each_command_caused_and_keeps_the_trace(self):
        s = et.Script()
        out = s.run("add-nodes 3\n# a comment\ncampaign 1")
        self.assertIn("> campaign 1", out)
        self.assertIn("BecomePreCandidate", out)
        self.assertGreater(len(s.trace()), 0)

    def test_a_bad_command_names_its_line(self):
        with self.assertRaises(et.Error) as e:
            et.Script().run("add-nodes 3\n\nbogus 1")
        self.assertIn("line 3 (bogus 1): unknown command 'bogus'", str(e.exception))

    def test_raw_bytes_that_are_not_hex_are_named(self):
        # They were read with std::stoi, whose exception etcetera-sim's
        # script runner did not catch.
        with self.assertRaises(et.Error) as e:
            et.Script().run("add-nodes 3\nraw-bytes 2 08zz")
        self.assertIn("raw-bytes: 'zz' is not two hex digits", str(e.exception))


class LinearizabilityTest(unittest.TestCase):
    WRITE_THEN_STALE_READ = (
        '{"process":1,"type":"invoke","f":"put","key":"x","value":"1","time":0}\n'
        '{"process":1,"type":"ok","f":"put","key":"x","value":"1","time":1}\n'
        '{"process":2,"type":"invoke","f":"get","key":"x","value":null,"time":2}\n'
        '{"process":2,"type":"ok","f":"get","key":"x","value":null,"time":3}\n'
    )

    def test_a_stale_read_is_not_linearizable_and_is_drawn(self):
        r = et.check_linearizability(self.WRITE_THEN_STALE_READ, model="kv-empty")
        self.assertFalse(r.ok)
        self.assertEqual(r.verdict, "NOT LINEARIZABLE")
        self.assertIn("cannot be placed next", r.explanation)
        self.assertIn("<svg", r.diagram)
        self.assertIn("NOT LINEARIZABLE", r._repr_html_())

    def test_the_fresh_read_is_linearizable(self):
        fresh = self.WRITE_THEN_STALE_READ.replace(
            '"value":null,"time":3', '"value":"1","time":3')
        r = et.check_linearizability(fresh, model="kv-empty")
        self.assertTrue(r.ok)
        self.assertIsNone(r.diagram)
        self.assertEqual(r.explanation, "")

    def test_unreadable_histories_and_unknown_models_are_errors(self):
        with self.assertRaises(et.Error) as e:
            et.check_linearizability('{"process":1,"type":"ok","f":"get"}\n', format="jsonl")
        self.assertIn("line 1", str(e.exception))
        with self.assertRaises(et.Error) as e:
            et.check_linearizability(self.WRITE_THEN_STALE_READ, model="nope")
        self.assertIn("no model 'nope'", str(e.exception))
        with self.assertRaises(et.Error):
            et.check_linearizability(42)


if __name__ == "__main__":
    unittest.main(verbosity=1)
