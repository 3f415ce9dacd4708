"""docker-compose.yml, run for real: the store's images built here, the whole store brought up
with docker-compose on Podman, a shopper's order followed to `delivered` through Kafka, an
operator reading health and events, a service killed and a PostgreSQL crash survived, and a
second `up` on the same volumes that still has the orders (infra/docker/README.md, "Podman").

    /usr/bin/python3 tests/compose/test_compose.py --bin-dir build/release/bin
    /usr/bin/python3 tests/compose/test_compose.py --from-source   # the longer run

--from-source builds the store's images with the Dockerfile's build stage, compiling everything
inside the image (about 20 more minutes on two cores) instead of copying the binaries of --bin-dir.

As root (Podman runs rootful and debootstrap needs root). It starts infra/docker/podman/engine
if it is not running (and stops it at the end), builds the images with infra/docker/images from the binaries of --bin-dir
(tag `ctest`), and runs the compose project `sftest<pid>` on free loopback ports; it removes that
project's containers, network and volumes when it ends, whatever happened. The images stay:
their layers are the cache of the next run."""

import argparse
import json
import os
import random
import shlex
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.error
import urllib.request
import uuid

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN_DIR = os.path.join(ROOT, "build", "release", "bin")
FROM_SOURCE = False
TAG = "ctest"
# The long-running containers, each with a healthcheck; kafka-init runs once and exits.
SERVICES = ["postgres", "kafka", "catalog", "cart", "payments", "inventory", "shipping",
            "checkout", "gateway", "prometheus", "zipkin"]
CARD = {"card_number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2030, "cvc": "123"}
ADDRESS = {"name": "Ada Lovelace", "line1": "1 Main St", "city": "Springfield",
           "postal_code": "12345", "country": "US"}


def log(message):
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)


def run(command, env=None, timeout=600, check=True):
    result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True,
                            timeout=timeout)
    if check and result.returncode != 0:
        raise AssertionError(f"{shlex.join(command)} exited {result.returncode}:\n"
                             f"{result.stdout[-3000:]}\n{result.stderr[-3000:]}")
    return result


def free_port():
    """A loopback port nothing listens on, 20000-32767 as infra/local/lib.sh's free_port."""
    for _ in range(200):
        port = random.randint(20000, 32767)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


def require(condition, message):
    if not condition:
        raise AssertionError(message)


def wait_for(what, predicate, timeout, interval=1.0):
    """Calls predicate until it returns something other than None or False (an empty list is an
    answer), which it returns; fails after timeout."""
    deadline = time.monotonic() + timeout
    last = None
    while True:
        try:
            value = predicate()
            if value is not None and value is not False:
                return value
        except (OSError, urllib.error.URLError, ValueError, KeyError) as error:
            last = error
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}"
                                 + (f" (last error: {last})" if last else ""))
        time.sleep(interval)


def remove_stale_projects(env):
    """Removes what an earlier run killed before its clean-up left behind (a ctest timeout):
    the containers, networks and volumes of sftest<pid> projects whose process is gone."""
    listed = run(["podman", "ps", "-a", "--format", '{{index .Labels "com.docker.compose.project"}}'],
                 env=env).stdout.split()
    listed += run(["podman", "volume", "ls", "--format",
                   '{{index .Labels "com.docker.compose.project"}}'], env=env).stdout.split()
    for project in sorted(set(listed)):
        pid = project.removeprefix("sftest")
        if project.startswith("sftest") and pid.isdigit() and not os.path.exists(f"/proc/{pid}"):
            log(f"removing the stale test project {project}")
            label = f"label=com.docker.compose.project={project}"
            for kind in (["ps", "-a", "-q"], ["volume", "ls", "-q"], ["network", "ls", "-q"]):
                ids = run(["podman", *kind, "--filter", label], env=env).stdout.split()
                if ids:
                    remove = {"ps": ["rm", "-f"], "volume": ["volume", "rm", "-f"],
                              "network": ["network", "rm", "-f"]}[kind[0]]
                    run(["podman", *remove, *ids], env=env, check=False)


class Store:
    """One compose project: its environment, the compose and podman commands, and HTTP to its
    gateway."""

    def __init__(self, env, project):
        self.env = env
        self.project = project
        self.gateway = f"http://127.0.0.1:{env['STOREFRONT_GATEWAY_PORT']}"

    def compose(self, *args, timeout=900, check=True):
        return run(["docker-compose", "--project-directory", ROOT, "-f",
                    os.path.join(ROOT, "docker-compose.yml"), "-p", self.project, *args],
                   env=self.env, timeout=timeout, check=check)

    def podman(self, *args, check=True):
        return run(["podman", *args], env=self.env, timeout=120, check=check)

    def containers(self):
        """{service: (container id, status text)} of this project's containers, running or not."""
        out = self.podman("ps", "-a", "--no-trunc", "--filter",
                          f"label=com.docker.compose.project={self.project}",
                          "--format", "{{.ID}}\t{{.Labels}}\t{{.Status}}").stdout
        found = {}
        for line in out.splitlines():
            container, _, rest = line.partition("\t")
            labels, _, status = rest.partition("\t")
            for label in labels.strip("map[]").split(" "):
                key, _, value = label.partition(":")
                if key == "com.docker.compose.service":
                    found[value] = (container, status)
        return found

    def inspect(self, service, template):
        container = self.containers()[service][0]
        return self.podman("inspect", "--format", template, container).stdout.strip()

    def all_healthy(self):
        containers = self.containers()
        missing = [s for s in SERVICES if "(healthy)" not in containers.get(s, ("", ""))[1]]
        return not missing and containers.get("kafka-init", ("", ""))[1].startswith("Exited (0)")

    def up(self):
        started = time.monotonic()
        # --no-build: the images are the ones infra/docker/images just built and tagged.
        result = self.compose("up", "-d", "--no-build", check=False)
        if result.returncode != 0:
            self.dump_logs()
            raise AssertionError(f"docker-compose up failed:\n{result.stdout[-3000:]}\n"
                                 f"{result.stderr[-3000:]}")
        try:
            wait_for("every healthcheck of the store", self.all_healthy, 300, interval=2)
        except AssertionError:
            self.dump_logs()
            raise
        log(f"up, every container healthy, in {time.monotonic() - started:.0f} s")

    def dump_logs(self):
        for service, (container, status) in sorted(self.containers().items()):
            print(f"--- {service}: {status}", flush=True)
            logs = self.podman("logs", "--tail", "25", container, check=False)
            print(logs.stdout[-2500:], logs.stderr[-2500:], flush=True)

    def http(self, method, path, body=None, token=None, headers=None):
        request = urllib.request.Request(self.gateway + path, method=method,
                                         data=None if body is None else json.dumps(body).encode())
        request.add_header("Content-Type", "application/json")
        if token:
            request.add_header("Authorization", f"Bearer {token}")
        for name, value in (headers or {}).items():
            request.add_header(name, value)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                status, raw = response.status, response.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        return status, (json.loads(raw) if raw.strip() else None)

    def expect(self, status, method, path, body=None, token=None, headers=None):
        got, answer = self.http(method, path, body, token, headers)
        if got != status:
            raise AssertionError(f"{method} {path}: {got}, expected {status}: {answer}")
        return answer

    def login(self, email, password):
        return self.expect(200, "POST", "/api/v1/auth/login",
                           {"email": email, "password": password})["access_token"]

    def checkout(self, token):
        """Puts a product in the cart and checks out; returns the new order."""
        products = self.expect(200, "GET", "/api/v1/products?limit=5")["items"]
        require(products, "the catalog lists products")
        self.expect(200, "POST", "/api/v1/cart/items",
                    {"product_id": products[0]["id"], "quantity": 1}, token)
        options = self.expect(200, "POST", "/api/v1/shipping/quotes", {"address": ADDRESS},
                              token)["options"]
        return self.expect(201, "POST", "/api/v1/checkout",
                           {"shipping_address": ADDRESS, "shipping_option_id": options[0]["id"],
                            "payment": CARD},
                           token, {"Idempotency-Key": str(uuid.uuid4())})

    def order(self, token, order_id):
        return self.expect(200, "GET", f"/api/v1/orders/{order_id}", token=token)

    def wait_delivered(self, token, order_id, timeout=180):
        def delivered():
            order = self.order(token, order_id)
            return order if order["status"] == "delivered" else None
        return wait_for(f"order {order_id} to be delivered", delivered, timeout)

    def restart_count(self, service):
        return int(self.inspect(service, "{{.RestartCount}}") or 0)

    def kill_process(self, service):
        """SIGKILL to the container's main process from outside, as a crash or the OOM killer:
        not `podman kill`, which the restart policy would take for the operator's own stop."""
        pid = int(self.inspect(service, "{{.State.Pid}}"))
        require(pid > 0, f"{service} runs")
        os.kill(pid, 9)
        return pid


class ComposeTest(unittest.TestCase):
    """The steps run in order (test_1 ... test_6), each on what the ones before it left."""

    store = None
    temp = None
    engine_started = False

    @classmethod
    def setUpClass(cls):
        if os.geteuid() != 0:
            raise unittest.SkipTest("needs root: Podman runs rootful here, and debootstrap")
        env = dict(os.environ)
        started = time.monotonic()
        engine = os.path.join(ROOT, "infra/docker/podman/engine")
        # An engine that was running already stays so; one this test starts, it stops.
        cls.engine_started = run([engine, "status"], env=env, check=False).returncode != 0
        exports = run([engine, "start"], env=env).stdout
        for line in exports.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
        log(f"engine at {env['DOCKER_HOST']}")
        remove_stale_projects(env)
        images = [os.path.join(ROOT, "infra/docker/images"), "--tag", TAG]
        run(images if FROM_SOURCE else [*images, "--binaries", BIN_DIR], env=env, timeout=3600)
        log(f"images built in {time.monotonic() - started:.0f} s")

        cls.temp = tempfile.TemporaryDirectory(prefix="storefront-compose-")
        secrets_file = os.path.join(cls.temp.name, "secrets.env")
        run([os.path.join(ROOT, "infra/docker/make-secrets"), secrets_file], env=env)
        with open(secrets_file) as secrets:
            for line in secrets:
                if "=" in line and not line.startswith("#"):
                    name, _, value = line.strip().partition("=")
                    env[name] = value
        env.update({
            "STOREFRONT_IMAGE_TAG": TAG,
            "STOREFRONT_GATEWAY_PORT": str(free_port()),
            "STOREFRONT_PG_PORT": str(free_port()),
            "STOREFRONT_KAFKA_PORT": str(free_port()),
            "STOREFRONT_PROMETHEUS_PORT": str(free_port()),
            "STOREFRONT_ZIPKIN_PORT": str(free_port()),
            # An order goes from confirmed to delivered in seconds instead of a minute and a half.
            "SHIPPING_DISPATCH_DELAY_MS": "1000",
            "SHIPPING_DELIVERY_DELAY_MS": "1000",
        })
        cls.store = Store(env, f"sftest{os.getpid()}")
        cls.orders = []
        try:
            cls.store.up()
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def tearDownClass(cls):
        if cls.store is not None:
            cls.store.compose("down", "-v", "--remove-orphans", "--timeout", "20", check=False)
            cls.store = None
        if cls.temp is not None:
            cls.temp.cleanup()
            cls.temp = None
        if cls.engine_started:
            run([os.path.join(ROOT, "infra/docker/podman/engine"), "stop"], check=False)
            cls.engine_started = False

    @property
    def operator(self):
        return self.store.login(self.store.env.get("STOREFRONT_OPERATOR_EMAIL",
                                                   "operator@storefront.local"),
                                self.store.env["STOREFRONT_OPERATOR_PASSWORD"])

    def test_1_shopper_order_is_delivered_through_kafka(self):
        store = self.store
        email = f"ada-{uuid.uuid4().hex[:8]}@example.com"
        store.expect(201, "POST", "/api/v1/auth/register",
                     {"email": email, "password": "correct horse battery", "name": "Ada"})
        token = store.login(email, "correct horse battery")
        order = store.checkout(token)
        self.assertEqual(order["status"], "confirmed", order)
        delivered = store.wait_delivered(token, order["order_id"])
        self.assertEqual(delivered["payment"]["status"], "captured", delivered)
        self.assertEqual(delivered["shipment"]["status"], "delivered", delivered)
        self.assertEqual([entry["status"] for entry in delivered["timeline"]],
                         ["pending", "reserved", "payment_authorized", "confirmed", "shipped", "delivered"], delivered)
        type(self).shopper = (email, token)
        type(self).orders.append(order["order_id"])

    def test_2_operator_reads_health_and_events(self):
        store, token = self.store, self.operator
        health = store.expect(200, "GET", "/api/v1/admin/system/health", token=token)
        self.assertEqual(health["status"], "ok", health)
        self.assertEqual({c["name"]: c["status"] for c in health["components"]},
                         {name: "ok" for name in ["catalog", "cart", "checkout", "payments",
                                                  "inventory", "shipping", "postgres", "kafka"]})
        order_id = self.orders[0]
        events = store.expect(200, "GET",
                              "/api/v1/admin/events?topic=storefront.checkout.order.v1&limit=200",
                              token=token)
        types = {e["event_type"] for e in events["items"] if e["aggregate_id"] == order_id}
        self.assertIn("storefront.checkout.order.placed.v1", types)
        self.assertIn("storefront.checkout.order.confirmed.v1", types)
        shipments = store.expect(200, "GET",
                                 "/api/v1/admin/events?topic=storefront.shipping.shipment.v1&limit=200",
                                 token=token)
        self.assertIn("storefront.shipping.shipment.delivered.v1",
                      {e["event_type"] for e in shipments["items"]
                       if (e.get("payload") or {}).get("order_id") == order_id}, shipments)

    def test_3_killed_service_is_restarted_and_the_store_carries_on(self):
        store = self.store
        before = store.restart_count("checkout")
        pid = store.kill_process("checkout")
        log(f"killed checkout's process {pid}")
        wait_for("checkout restarted by its restart policy",
                 lambda: store.restart_count("checkout") > before
                 and int(store.inspect("checkout", "{{.State.Pid}}")) not in (0, pid), 60)
        wait_for("checkout healthy again", store.all_healthy, 120, interval=2)
        _, token = self.shopper
        order = wait_for("a checkout through the restarted orchestrator",
                         lambda: self._checkout_or_none(token), 60, interval=2)
        store.wait_delivered(token, order["order_id"])
        type(self).orders.append(order["order_id"])

    def _checkout_or_none(self, token):
        try:
            return self.store.checkout(token)
        except AssertionError as refused:  # 503 while the gateway's channel reconnects
            if ": 503" not in str(refused):
                raise
            log(f"checkout refused while reconnecting: {refused}")
            return None

    def test_4_postgres_crash_loses_no_order(self):
        store = self.store
        operator = self.operator
        before = store.expect(200, "GET", "/api/v1/admin/orders?limit=100", token=operator)["items"]
        self.assertTrue(set(self.orders) <= {o["order_id"] for o in before}, before)
        restarts = store.restart_count("postgres")
        pid = store.kill_process("postgres")
        log(f"killed PostgreSQL's postmaster {pid}")
        wait_for("postgres restarted by its restart policy",
                 lambda: store.restart_count("postgres") > restarts, 60)
        wait_for("the store healthy again", store.all_healthy, 180, interval=2)
        after = wait_for("the operator's order list",
                         lambda: self._admin_orders(operator), 60, interval=2)
        self.assertEqual({o["order_id"]: o["status"] for o in before},
                         {o["order_id"]: o["status"] for o in after})
        _, token = self.shopper
        order = wait_for("a checkout after PostgreSQL's restart",
                         lambda: self._checkout_or_none(token), 90, interval=2)
        store.wait_delivered(token, order["order_id"])
        type(self).orders.append(order["order_id"])

    def _admin_orders(self, token):
        status, body = self.store.http("GET", "/api/v1/admin/orders?limit=100", token=token)
        return body["items"] if status == 200 else None

    def test_5_second_up_on_the_same_volumes_keeps_the_orders(self):
        store = self.store
        volumes = self._volumes()
        self.assertEqual(len(volumes), 3, volumes)  # postgres-data, kafka-data, prometheus-data
        store.compose("down", "--timeout", "20")
        self.assertEqual(store.containers(), {})
        self.assertEqual(self._volumes(), volumes)
        store.up()
        email, _ = self.shopper
        token = store.login(email, "correct horse battery")
        listed = store.expect(200, "GET", "/api/v1/orders", token=token)["items"]
        self.assertEqual(sorted(o["order_id"] for o in listed), sorted(self.orders))
        self.assertTrue(all(o["status"] == "delivered" for o in listed), listed)
        # And the store still takes orders on its old volumes.
        order = wait_for("a checkout after the second up",
                         lambda: self._checkout_or_none(token), 90, interval=2)
        store.wait_delivered(token, order["order_id"])

    def test_6_down_with_volumes_removes_everything(self):
        self.store.compose("down", "-v", "--timeout", "20")
        self.assertEqual(self.store.containers(), {})
        self.assertEqual(self._volumes(), [])

    def _volumes(self):
        return sorted(self.store.podman(
            "volume", "ls", "--filter", f"label=com.docker.compose.project={self.store.project}",
            "--format", "{{.Name}}").stdout.split())


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--bin-dir", default=BIN_DIR)
    parser.add_argument("--from-source", action="store_true")
    options, rest = parser.parse_known_args()
    BIN_DIR = os.path.abspath(options.bin_dir)
    FROM_SOURCE = options.from_source
    unittest.main(argv=[sys.argv[0], *rest], verbosity=2)
