#!/usr/bin/env python3
"""Checks Storefront's Prometheus rules and configurations with promtool, without a running server.

  rules                promtool check rules and promtool test rules (infra/prometheus/rules); every
                       alert has a `for:`, a severity and a summary and description, and the unit
                       tests give it a case that fires and one that does not; every recording rule
                       has its figure checked there
  local stack          the configuration `infra/local/stack --prometheus-config` writes passes
                       promtool check config (which loads the rules through it), has one job per
                       process and every replica's metrics port as an instance of its service's job
  docker-compose       infra/prometheus/prometheus-compose.yml passes promtool check config and
                       discovers every process by its compose name on port 9464
  k8s dev              infra/k8s/overlays/dev/prometheus.yml passes promtool check config (with its
                       Kubernetes discovery swapped for a fixed target: Debian's Prometheus is built
                       without it) and takes the job label from app.kubernetes.io/name

Run from anywhere: python3 tests/infra/test_prometheus.py. CTest runs it as prometheus_rules_test
(infra/CMakeLists.txt). Prints one line per check and then `N passed, M failed`; exits 1 when a
check failed. promtool comes with Debian's prometheus package (infra/packages.txt, [stack]).
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from checks import Fail, check, summary

try:
    import yaml
except ImportError:  # pragma: no cover
    print("python3-yaml is missing (apt-get install python3-yaml; it is in infra/packages.txt)")
    print("0 passed, 1 failed")
    sys.exit(1)

ROOT = Path(__file__).resolve().parents[2]
RULES_DIR = ROOT / "infra/prometheus/rules"
PROCESSES = ["gateway", "catalog", "cart", "checkout", "payments", "inventory", "shipping"]
# The local stack's metrics ports (infra/local/stack, STOREFRONT_<PROC>_METRICS_PORT).
METRICS_PORTS = {"gateway": 9100, "catalog": 9101, "cart": 9102, "checkout": 9103, "payments": 9104,
                 "inventory": 9105, "shipping": 9106}
SEVERITIES = {"critical", "warning"}


def promtool(*arguments, cwd=None):
    tool = shutil.which("promtool")
    if not tool:
        raise Fail("promtool not found (apt-get install prometheus; it is in infra/packages.txt)")
    result = subprocess.run([tool, *arguments], capture_output=True, text=True, cwd=cwd)
    if result.returncode != 0:
        raise Fail(f"promtool {' '.join(arguments)}:\n{result.stdout}{result.stderr}")
    return result.stdout


def rule_files():
    files = sorted(RULES_DIR.glob("*.rules.yml"))
    if not files:
        raise Fail(f"no *.rules.yml in {RULES_DIR}")
    return files


def test_files():
    files = sorted(RULES_DIR.glob("*.test.yml"))
    if not files:
        raise Fail(f"no *.test.yml in {RULES_DIR}")
    return files


def rules():
    """(alerting rules, recording rules) of every rule file."""
    alerts, records = [], []
    for path in rule_files():
        for group in yaml.safe_load(path.read_text())["groups"]:
            for rule in group["rules"]:
                (alerts if "alert" in rule else records).append(rule)
    return alerts, records


# --- rules --------------------------------------------------------------------------------------

def check_rules_syntax():
    promtool("check", "rules", *map(str, rule_files()))


def check_rules_unit_tests():
    promtool("test", "rules", *(p.name for p in test_files()), cwd=RULES_DIR)


def check_alerts_are_complete():
    alerts, _ = rules()
    problems = []
    for alert in alerts:
        name = alert["alert"]
        if not alert.get("for"):
            problems.append(f"{name} has no `for:` (one bad scrape would page)")
        if (alert.get("labels") or {}).get("severity") not in SEVERITIES:
            problems.append(f"{name}: severity {(alert.get('labels') or {}).get('severity')!r} is not one of {sorted(SEVERITIES)}")
        for annotation in ("summary", "description"):
            if not (alert.get("annotations") or {}).get(annotation):
                problems.append(f"{name} has no {annotation}")
    if problems:
        raise Fail("; ".join(problems))


def check_every_rule_is_tested():
    alerts, records = rules()
    firing, quiet, expressions = set(), set(), []
    for path in test_files():
        for case in yaml.safe_load(path.read_text())["tests"]:
            for test in case.get("alert_rule_test") or []:
                (firing if test.get("exp_alerts") else quiet).add(test["alertname"])
            expressions += [t["expr"] for t in case.get("promql_expr_test") or []]
    problems = []
    for alert in alerts:
        name = alert["alert"]
        if name not in firing:
            problems.append(f"no test where {name} fires")
        if name not in quiet:
            problems.append(f"no test where {name} stays quiet")
    for record in records:
        name = record["record"]
        if not any(re.search(rf"(^|[^:\w]){re.escape(name)}($|[^:\w])", e) for e in expressions):
            problems.append(f"recording rule {name} is not checked by a promql_expr_test")
    if problems:
        raise Fail("; ".join(problems))


# --- configurations -----------------------------------------------------------------------------

def check_config(text, name):
    """promtool check config on TEXT, written beside nothing else (rule paths must be absolute)."""
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / name
        path.write_text(text)
        output = promtool("check", "config", str(path))
    # promtool names each rule file it loaded; a glob that matched nothing loads none, silently.
    for rules_file in rule_files():
        if str(rules_file) not in output:
            raise Fail(f"{name} does not load {rules_file}:\n{output}")


def job_targets(config):
    jobs = {}
    for job in config["scrape_configs"]:
        jobs[job["job_name"]] = [t for static in job.get("static_configs", []) for t in static["targets"]]
    return jobs


def check_local_stack_config():
    environment = {k: v for k, v in os.environ.items() if not k.startswith("STOREFRONT_")}
    environment.update({"STOREFRONT_REPLICAS": "catalog=2 cart=3", "STOREFRONT_CATALOG_METRICS_PORT": "19101"})
    result = subprocess.run(["bash", str(ROOT / "infra/local/stack"), "--prometheus-config"],
                            capture_output=True, text=True, env=environment, timeout=60)
    if result.returncode != 0:
        raise Fail(f"infra/local/stack --prometheus-config failed: {result.stderr}")
    check_config(result.stdout, "local-stack.yml")
    config = yaml.safe_load(result.stdout)
    problems = []
    if config["global"].get("scrape_interval") != "5s":
        problems.append(f"scrape_interval {config['global'].get('scrape_interval')}, want 5s")
    wanted = {process: [f"127.0.0.1:{port}"] for process, port in METRICS_PORTS.items()}
    wanted["catalog"] = ["127.0.0.1:19101", "127.0.0.1:19111"]  # a replica: the port + 10
    wanted["cart"] = ["127.0.0.1:9102", "127.0.0.1:9112", "127.0.0.1:9122"]
    jobs = job_targets(config)
    if jobs != wanted:
        problems.append(f"jobs and targets {jobs}, want {wanted}")
    if problems:
        raise Fail("; ".join(problems))


def with_repository_rules(config):
    """CONFIG with its rule_files pointed at the repository's rules, which the containers mount at
    /etc/prometheus/rules: promtool then loads and checks them through the configuration."""
    if config.get("rule_files") != ["/etc/prometheus/rules/*.rules.yml"]:
        raise Fail(f"rule_files {config.get('rule_files')}, want the mounted /etc/prometheus/rules/*.rules.yml")
    config = dict(config, rule_files=[str(RULES_DIR / "*.rules.yml")])
    return yaml.safe_dump(config)


def check_compose_config():
    config = yaml.safe_load((ROOT / "infra/prometheus/prometheus-compose.yml").read_text())
    check_config(with_repository_rules(config), "prometheus-compose.yml")
    discovered = {}
    for job in config["scrape_configs"]:
        discovered[job["job_name"]] = [(tuple(d["names"]), d.get("type"), d.get("port"))
                                       for d in job.get("dns_sd_configs", [])]
    wanted = {process: [((process,), "A", 9464)] for process in PROCESSES}
    if discovered != wanted:
        raise Fail(f"jobs {discovered}, want each process's compose name (every container of it) on 9464")


def check_dev_overlay_config():
    config = yaml.safe_load((ROOT / "infra/k8s/overlays/dev/prometheus.yml").read_text())
    problems = []
    for job in config["scrape_configs"]:
        if [d.get("role") for d in job.pop("kubernetes_sd_configs", [])] != ["pod"]:
            problems.append(f"job {job['job_name']} does not discover pods")
        job["static_configs"] = [{"targets": ["127.0.0.1:9464"]}]
        relabels = job.get("relabel_configs", [])
        if not any(r.get("target_label") == "job" and
                   r.get("source_labels") == ["__meta_kubernetes_pod_label_app_kubernetes_io_name"]
                   for r in relabels):
            problems.append(f"job {job['job_name']} does not take the job label from app.kubernetes.io/name")
    check_config(with_repository_rules(config), "prometheus-dev.yml")
    if problems:
        raise Fail("; ".join(problems))


def main():
    check("promtool check rules", check_rules_syntax)
    check("promtool test rules", check_rules_unit_tests)
    check("every alert has for:, a severity, a summary and a description", check_alerts_are_complete)
    check("every alert fires and stays quiet in a test; every recording rule is checked",
          check_every_rule_is_tested)
    check("local stack: promtool check config; one job per process, replicas as instances",
          check_local_stack_config)
    check("docker-compose: promtool check config; every process by its compose name", check_compose_config)
    check("k8s dev: promtool check config; job from app.kubernetes.io/name", check_dev_overlay_config)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
