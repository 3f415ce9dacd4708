"""docker-compose.yml, run for real: the store's images built here, the whole store brought up
with docker-compose on Podman, a shopper's order followed to `delivered` through Kafka, an
operator reading health and events, the broker refusing one process's event on another's topic,
a service killed and a PostgreSQL crash survived, and a second `up` on the same volumes that still
has the orders (infra/docker/README.md, "Podman").

    /usr/bin/python3 tests/compose/test_compose.py --bin-dir build/release/bin
    /usr/bin/python3 tests/compose/test_compose.py --from-source   # the longer run

--from-source builds the store's images with the Dockerfile's build stage, compiling everything
inside the image (about 5 more minutes on two cores) instead of copying the binaries of --bin-dir.

As root (Podman runs rootful and debootstrap needs root). It starts infra/docker/podman/engine
if it is not running (and stops it at the end), builds the images with infra/docker/images
(tag `ctest`), and runs the compose project `sftest<pid>x<random>` on free loopback ports; it
removes that project's containers, network and volumes when it ends, whatever happened. The
images stay: their layers are the cache of the next run."""

import argparse
import json
import os
import random
import shlex
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.error
import urllib.request
import uuid

import yaml  # python3-yaml, Debian's (infra/packages.txt)

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN_DIR = os.path.join(ROOT, "build", "release", "bin")
FROM_SOURCE = False
TAG = "ctest"
# The compose file's services: those with a healthcheck stay up and must be healthy; the others
# (tls-init, kafka-init, kafka-acls) run once and must exit 0.
with open(os.path.join(ROOT, "docker-compose.yml")) as compose_file:
    COMPOSE_SERVICES = yaml.safe_load(compose_file)["services"]
SERVICES = sorted(name for name, service in COMPOSE_SERVICES.items() if "healthcheck" in service)
ONE_SHOT = sorted(set(COMPOSE_SERVICES) - set(SERVICES))
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
    """A loopback port nothing listens on: infra/local/lib.sh's free_port, the one rule for it."""
    return int(run(["bash", "-c", "source infra/local/lib.sh && free_port"]).stdout)


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
    the containers, networks and volumes of sftest<pid>x<random> projects whose process is gone."""
    listed = run(["podman", "ps", "-a", "--format", '{{index .Labels "com.docker.compose.project"}}'],
                 env=env).stdout.split()
    listed += run(["podman", "volume", "ls", "--format",
                   '{{index .Labels "com.docker.compose.project"}}'], env=env).stdout.split()
    for project in sorted(set(listed)):
        pid = project.removeprefix("sftest").partition("x")[0]
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

    def payments_ledger(self, orders):
        """{order id: [status, ...]} of payments' own rows for these orders, read in its schema."""
        ids = ",".join(f"'{uuid.UUID(order)}'" for order in orders)
        rows = self.podman("exec", self.containers()["postgres"][0], "psql", "-U", "postgres",
                           "-d", "storefront", "-tA", "-F", " ", "-c",
                           f"SELECT order_id, status FROM payments.payments WHERE order_id IN ({ids})")
        ledger = {}
        for line in rows.stdout.split("\n"):
            if line.strip():
                order, status = line.split()
                ledger.setdefault(order, []).append(status)
        return ledger

    def containers(self):
        """{service: (container id, status text)} of this project's containers, running or not."""
        out = self.podman("ps", "-a", "--no-trunc", "--filter",
                          f"label=com.docker.compose.project={self.project}",
                          "--format", '{{.ID}}\t{{index .Labels "com.docker.compose.service"}}'
                          '\t{{.Status}}').stdout
        found = {}
        for line in out.splitlines():
            container, service, status = line.split("\t", 2)
            found[service] = (container, status)
        return found

    def inspect(self, service, template):
        container = self.containers()[service][0]
        return self.podman("inspect", "--format", template, container).stdout.strip()

    def all_healthy(self):
        containers = self.containers()
        missing = [s for s in SERVICES if "(healthy)" not in containers.get(s, ("", ""))[1]]
        unfinished = [s for s in ONE_SHOT if not containers.get(s, ("", ""))[1].startswith("Exited (0)")]
        return not missing and not unfinished

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

    def fill_cart(self, token, pick=0):
        """Empties the cart (a failed order leaves its items there) and puts one unit of the
        pick-th listed product in it; returns the body for POST /checkout."""
        self.expect(200, "DELETE", "/api/v1/cart", token=token)
        products = self.expect(200, "GET", "/api/v1/products?limit=20")["items"]
        require(len(products) > pick, "the catalog lists products")
        self.expect(200, "POST", "/api/v1/cart/items",
                    {"product_id": products[pick]["id"], "quantity": 1}, token)
        options = self.expect(200, "POST", "/api/v1/shipping/quotes", {"address": ADDRESS},
                              token)["options"]
        return {"shipping_address": ADDRESS, "shipping_option_id": options[0]["id"],
                "payment": CARD}

    def checkout(self, token, pick=0):
        """Fills the cart and checks out; returns the new order (201)."""
        return self.expect(201, "POST", "/api/v1/checkout", self.fill_cart(token, pick), token,
                           {"Idempotency-Key": str(uuid.uuid4())})

    def wait_delivered(self, token, order_id, timeout=180):
        """Waits for the order to be delivered and its payment captured (payments captures when
        the shipment is dispatched, and checkout hears of it through Kafka a moment later)."""
        def delivered():
            status, order = self.http("GET", f"/api/v1/orders/{order_id}", token=token)
            # A 503 or 504 while polling is "not yet" (a restart, a slow moment); 4xx is a failure.
            require(status in (200, 503, 504), f"GET /api/v1/orders/{order_id}: {status} {order}")
            done = (status == 200 and order["status"] == "delivered"
                    and order["payment"]["status"] == "captured")
            return order if done else None
        return wait_for(f"order {order_id} to be delivered and captured", delivered, timeout)

    def log_memory(self):
        """Prints each container's memory use beside its limit (figures, not a check: the limits'
        reasons are in infra/docker/README.md, "Memory")."""
        ids = [container for container, status in self.containers().values() if status.startswith("Up")]
        stats = self.podman("stats", "--no-stream", "--format", "{{.Name}}\t{{.MemUsage}}", *ids,
                            check=False)
        for line in sorted(stats.stdout.splitlines()):
            log(f"memory {line.removeprefix(self.project + '_')}")

    def restart_count(self, service):
        return int(self.inspect(service, "{{.RestartCount}}") or 0)

    def main_pid(self, service):
        """The host pid of the container's main process. Killing it with SIGKILL from outside is a
        crash or the OOM killer; not `podman kill`, which the restart policy would take for the
        operator's own stop."""
        pid = int(self.inspect(service, "{{.State.Pid}}"))
        require(pid > 0, f"{service} runs")
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
        engine = os.path.join(ROOT, "infra/docker/podman/engine")
        # An engine that was running already stays so; one this test starts, it stops.
        cls.engine_started = run([engine, "status"], env=env, check=False).returncode != 0
        try:
            cls.start_store(env, engine)
        except BaseException:
            cls.tearDownClass()
            raise

    @classmethod
    def start_store(cls, env, engine):
        started = time.monotonic()
        exports = run([engine, "start"], env=env).stdout
        for line in exports.splitlines():
            name, _, value = line.removeprefix("export ").partition("=")
            env[name] = shlex.split(value)[0]
        log(f"engine at {env['DOCKER_HOST']}")
        remove_stale_projects(env)
        images = [os.path.join(ROOT, "infra/docker/images"), "--tag", TAG]
        # Within ctest's 2400 s, so that tearDownClass still runs when a build hangs.
        run(images if FROM_SOURCE else [*images, "--binaries", BIN_DIR], env=env,
            timeout=3600 if FROM_SOURCE else 1200)
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
            # The crash step's shopper checks out back to back, far beyond a shopper's 10 a minute.
            "RATE_LIMIT_CHECKOUT_QUOTA": "1000",
        })
        cls.store = Store(env, f"sftest{os.getpid()}x{uuid.uuid4().hex[:6]}")
        cls.orders = []
        cls.store.up()

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

    def tearDown(self):
        # The containers' last lines when this step failed: the project is gone by the end.
        result = getattr(getattr(self, "_outcome", None), "result", None)
        if result is not None and any(test is self for test, _ in result.failures + result.errors):
            self.store.dump_logs()

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
        # The stand-in's cluster is UTF-8, as the upstream image's (not SQL_ASCII).
        encoding = store.podman("exec", store.containers()["postgres"][0], "psql", "-U", "postgres",
                                "-d", "storefront", "-tAc", "SHOW server_encoding").stdout.strip()
        self.assertEqual(encoding, "UTF8")

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

    def test_2b_broker_refuses_an_event_on_another_process_topic(self):
        """Payments, with its own certificate, publishes a ShipmentDispatched of its making on
        shipping's topic: the broker refuses it (kafka-acls granted payments its own topic only), so
        no consumer ever sees it. The client is Kafka's console producer, run in a throwaway
        container of the kafka image on the project's network with payments' volume mounted, as the
        store's uid (payments' key is readable by it alone)."""
        store = self.store
        image = store.inspect("kafka", "{{.Image}}")
        network = store.inspect("kafka", "{{range $name, $settings := .NetworkSettings.Networks}}{{$name}}{{end}}")
        # The console producer: upstream's script, or the stand-in's kafka-class with its class.
        script = r"""set -euo pipefail
umask 077
export PATH="/opt/kafka/bin:$PATH"
cat /identity/tls.key /identity/tls.crt >/tmp/keystore.pem
printf '%s\n' security.protocol=SSL ssl.keystore.type=PEM ssl.keystore.location=/tmp/keystore.pem \
  ssl.truststore.type=PEM ssl.truststore.location=/identity/ca.crt >/tmp/client.properties
producer=(kafka-console-producer.sh)
command -v kafka-console-producer.sh >/dev/null || producer=(kafka-class kafka.tools.ConsoleProducer)
echo '{"forged": "ShipmentDispatched"}' | KAFKA_HEAP_OPTS=-Xmx64m "${producer[@]}" \
  --bootstrap-server kafka:9092 --producer.config /tmp/client.properties \
  --topic storefront.shipping.shipment.v1 --sync 2>&1"""
        result = store.podman("run", "--rm", "--network", network, "--user", "10001:10001",
                              "-v", f"{store.project}_tls-payments:/identity:ro", "--entrypoint", "bash",
                              image, "-c", script, check=False)
        output = result.stdout + result.stderr
        self.assertNotEqual(result.returncode, 0, output[-3000:])
        self.assertIn("TopicAuthorizationException", output, output[-3000:])
        self.assertIn("storefront.shipping.shipment.v1", output, output[-3000:])

    def test_3_killed_service_is_restarted_and_the_store_carries_on(self):
        self._crash_and_wait_for_restart("checkout")
        self._order_delivered("a checkout through the restarted orchestrator")

    def test_4_postgres_crash_loses_no_accepted_order(self):
        """PostgreSQL's postmaster is killed while a second shopper checks out back to back.
        Every checkout answered 201 must be delivered and captured; every order answered as
        failed must be failed with no payment authorized or captured in payments' own ledger; an
        order whose answer was unknown (no answer, 202 still pending, a 5xx without an outcome:
        "maybe") may end either way, and at most that many orders end delivered unannounced. The
        orders placed earlier keep their state; checkouts succeed again after the restart."""
        store, operator = self.store, self.operator
        before = {order: store.expect(200, "GET", f"/api/v1/admin/orders/{order}",
                                      token=operator)["status"] for order in self.orders}
        email = f"zoe-{uuid.uuid4().hex[:8]}@example.com"
        store.expect(201, "POST", "/api/v1/auth/register",
                     {"email": email, "password": "correct horse battery", "name": "Zoë Ørsted"})
        token = store.login(email, "correct horse battery")
        answers = {"accepted": [], "failed": [], "maybe": 0, "not placed": 0}
        in_flight, in_flight_at_kill, stop = threading.Event(), [], threading.Event()

        def attempt():
            try:
                body = store.fill_cart(token, random.randrange(20))
            except (AssertionError, OSError, ValueError):
                return "not placed"  # no checkout was asked for
            in_flight.set()
            try:
                status, answer = store.http("POST", "/api/v1/checkout", body, token,
                                            {"Idempotency-Key": str(uuid.uuid4())})
            except (OSError, ValueError):
                return "maybe"  # the request may have been taken, the answer is lost
            finally:
                in_flight.clear()
            if status == 201:
                answers["accepted"].append(answer["order_id"])
                return "accepted"
            if isinstance(answer, dict) and answer.get("order_status") == "failed":
                answers["failed"].append(answer["order_id"])
                return "failed"
            return "maybe" if status >= 500 or status == 202 else "not placed"

        def shop():
            while not stop.is_set():
                outcome = attempt()
                if outcome in ("maybe", "not placed"):
                    answers[outcome] += 1
                # Back to back while the store answers, so that the crash lands inside a checkout;
                # a second's pause after a refusal, within the gateway's per-address rate limit.
                stop.wait(0.1 if outcome == "accepted" else 1)

        shopper = threading.Thread(target=shop, daemon=True)
        shopper.start()
        try:
            wait_for("a first order of the second shopper", lambda: len(answers["accepted"]) > 0, 60)
            self._crash_and_wait_for_restart("postgres", in_flight, in_flight_at_kill)
            recovered = len(answers["accepted"])
            wait_for("two orders accepted after the restart",
                     lambda: len(answers["accepted"]) >= recovered + 2, 180)
        finally:
            stop.set()
            shopper.join(timeout=60)
        log(f"second shopper: {len(answers['accepted'])} accepted, {len(answers['failed'])} failed, "
            f"{answers['maybe']} maybe, {answers['not placed']} not placed; a checkout in flight "
            f"when PostgreSQL was killed: {in_flight_at_kill[0]}")

        orders = wait_for("every order of the second shopper delivered or failed",
                          lambda: self._settled_orders(token), 180)
        delivered = {order for order, status in orders.items() if status == "delivered"}
        self.assertTrue(set(answers["accepted"]) <= delivered, (answers, orders))
        self.assertTrue(set(answers["failed"]).isdisjoint(delivered), (answers, orders))
        self.assertLessEqual(len(delivered - set(answers["accepted"])), answers["maybe"], orders)
        ledger = store.payments_ledger(orders)
        for order, status in orders.items():
            held = [p for p in ledger.get(order, []) if p in ("authorized", "captured")]
            self.assertEqual(held, ["captured"] if status == "delivered" else [], (order, ledger))
        self.assertEqual({order: store.expect(200, "GET", f"/api/v1/admin/orders/{order}",
                                              token=operator)["status"] for order in self.orders},
                         before)
        store.log_memory()

    def _settled_orders(self, token):
        """{order id: status} of all the shopper's orders once each is delivered (and captured)
        or failed; None while one is still on its way or the gateway answers 5xx."""
        orders, cursor = {}, None
        while True:
            query = "/api/v1/orders?limit=100" + (f"&cursor={cursor}" if cursor else "")
            status, page = self.store.http("GET", query, token=token)
            if status != 200:
                require(status in (503, 504), f"GET {query}: {status} {page}")
                return None
            for o in page["items"]:
                final = ((o["status"] == "delivered" and o["payment"]["status"] == "captured")
                         or o["status"] == "failed")
                if not final:
                    return None
                orders[o["order_id"]] = o["status"]
            cursor = page.get("next_cursor")
            if not cursor:
                return orders

    def _crash_and_wait_for_restart(self, service, in_flight=None, in_flight_at_kill=None):
        """Kills the main process of the service's container; the restart policy must start it
        again (a new process, one more restart) and the whole store must be healthy again.
        in_flight, when given, is an Event whose state at the kill is put in in_flight_at_kill."""
        store = self.store
        restarts = store.restart_count(service)
        pid = store.main_pid(service)
        if in_flight is not None:
            in_flight.wait(10)  # kill inside a checkout when one comes within 10 s
        os.kill(pid, 9)
        if in_flight is not None:
            in_flight_at_kill.append(in_flight.is_set())
        log(f"killed {service}'s main process {pid}")
        wait_for(f"{service} restarted by its restart policy",
                 lambda: store.restart_count(service) > restarts
                 and int(store.inspect(service, "{{.State.Pid}}")) not in (0, pid), 60)
        wait_for("the store healthy again", store.all_healthy, 180, interval=2)

    def _order_delivered(self, what):
        """The shopper checks out again and the order is delivered; a 503 or 504 right after a
        restart is retried with a new key, as a shopper would (the retries are logged)."""
        _, token = self.shopper
        order = wait_for(what, lambda: self._checkout_or_none(token), 90, interval=2)
        self.store.wait_delivered(token, order["order_id"])
        type(self).orders.append(order["order_id"])

    def _checkout_or_none(self, token):
        try:
            return self.store.checkout(token)
        except AssertionError as refused:
            # 503 and 504 say "try again" (a channel still reconnecting, an upstream's first call
            # timing out): a shopper would, with a new key. Anything else fails the step.
            if ": 503" not in str(refused) and ": 504" not in str(refused):
                raise
            log(f"checkout step refused right after a restart, retried: {refused}")
            return None

    def _shopper_orders(self, token):
        """{order id: status} of every order the shopper's list shows."""
        listed = self.store.expect(200, "GET", "/api/v1/orders?limit=50", token=token)["items"]
        return {o["order_id"]: o["status"] for o in listed}

    def test_5_second_up_on_the_same_volumes_keeps_the_orders(self):
        store = self.store
        volumes = self._volumes()
        names = {volume.split("_", 1)[1] for volume in volumes}
        identities = {f"tls-{name}" for name in ("gateway", "catalog", "cart", "checkout", "payments", "inventory",
                                                 "shipping", "kafka")}
        self.assertEqual(names, {"postgres-data", "kafka-data", "prometheus-data", "tls-ca"} | identities, volumes)
        ca = self._volume_file(f"{store.project}_tls-ca", "ca.crt")
        self.assertIn("BEGIN CERTIFICATE", ca)
        email, token = self.shopper
        before = self._shopper_orders(token)
        self.assertTrue(set(self.orders) <= set(before), before)
        store.compose("down", "--timeout", "20")
        self.assertEqual(store.containers(), {})
        self.assertEqual(self._volumes(), volumes)
        store.up()
        token = store.login(email, "correct horse battery")  # the account is in the volume too
        # tls-init ran again and kept the CA (and so every certificate it signed).
        self.assertEqual(self._volume_file(f"{store.project}_tls-ca", "ca.crt"), ca)
        self.assertEqual(self._volume_file(f"{store.project}_tls-payments", "ca.crt"), ca)
        self.assertEqual(self._shopper_orders(token), before)
        self.assertTrue(all(before[order] == "delivered" for order in self.orders), before)
        type(self).shopper = (email, token)
        self._order_delivered("a checkout after the second up")  # the old volumes take new orders

    def test_6_down_with_volumes_removes_everything(self):
        self.store.compose("down", "-v", "--timeout", "20")
        self.assertEqual(self.store.containers(), {})
        self.assertEqual(self._volumes(), [])

    def _volume_file(self, volume, name):
        """The text of file `name` in volume `volume` (rootful Podman keeps it on this host)."""
        mountpoint = self.store.podman("volume", "inspect", "--format", "{{.Mountpoint}}", volume).stdout.strip()
        with open(os.path.join(mountpoint, name), encoding="ascii") as file:
            return file.read()

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
