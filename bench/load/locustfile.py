"""Shoppers for Locust: the store's realistic mix, driven through the gateway's HTTP API.

Before the shoppers start, the accounts they use are registered and signed in (argon2id makes
both deliberately slow, and a sign-up is not a shopping step: the figures leave them out). Then
each simulated shopper picks steps by weight, like Online Boutique's load generator does for its
shop:

    step           weight  request
    browse              8  GET /api/v1/products?limit=20 (sometimes of one category)
    search              3  GET /api/v1/products?query=<word>&limit=20
    product page       12  GET /api/v1/products/{id}
    categories          2  GET /api/v1/categories
    cart add            3  POST /api/v1/cart/items
    cart view           3  GET /api/v1/cart
    checkout            1  DELETE /api/v1/cart, POST /api/v1/cart/items, POST /api/v1/checkout

Pacing comes from the environment (bench/load.sh sets it):
    LOAD_MODE=rate       every shopper aims at LOAD_STEPS_PER_SECOND / users steps a second
                         (Locust's constant_throughput), so the store gets a fixed rate
    LOAD_MODE=saturate   every shopper starts its next step as soon as the last one answered
The operator (STOREFRONT_OPERATOR_EMAIL, STOREFRONT_OPERATOR_PASSWORD) restocks the products
before the shoppers start, so no checkout fails for want of stock.
"""

import os
import random
import uuid
from concurrent.futures import ThreadPoolExecutor

from locust import HttpUser, between, constant, constant_throughput, events, task

ADDRESS = {"name": "Ada Lovelace", "line1": "1 Analytical Way", "city": "Springfield",
           "postal_code": "12345", "country": "US"}
PAYMENT = {"card_number": "4242 4242 4242 4242", "exp_month": 12, "exp_year": 2031, "cvc": "123"}
PASSWORD = "correct horse battery"
SEARCH_WORDS = ["wireless", "headphones", "lamp", "coffee", "chair", "shirt", "book", "speaker"]
STOCK_TARGET = 200000

products = []    # ids of the active products, read once by the operator at the start
categories = []  # ids of the categories
tokens = []      # a signed-in shopper's access token for each simulated shopper


def _users():
    return max(1, int(os.environ.get("LOAD_USERS", "1")))


def _pacing():
    mode = os.environ.get("LOAD_MODE", "rate")
    if mode == "saturate":
        return constant(0)
    rate = float(os.environ.get("LOAD_STEPS_PER_SECOND", "50"))
    return constant_throughput(rate / _users())


@events.test_start.add_listener
def restock(environment, **_kwargs):
    """The operator lists the products and raises each one's stock to STOCK_TARGET."""
    import requests  # Locust's own dependency

    base = environment.host
    email = os.environ.get("STOREFRONT_OPERATOR_EMAIL", "operator@storefront.local")
    password = os.environ["STOREFRONT_OPERATOR_PASSWORD"]
    session = requests.Session()
    login = session.post(f"{base}/api/v1/auth/login", json={"email": email, "password": password}, timeout=30)
    login.raise_for_status()
    session.headers["Authorization"] = "Bearer " + login.json()["access_token"]
    cursor = None
    while True:
        page = session.get(f"{base}/api/v1/products", params={"limit": 100, **({"cursor": cursor} if cursor else {})},
                           timeout=30)
        page.raise_for_status()
        body = page.json()
        products.extend(item["id"] for item in body["items"])
        cursor = body.get("next_cursor")
        if not cursor:
            break
    listed = session.get(f"{base}/api/v1/categories", timeout=30)
    listed.raise_for_status()
    categories.extend(item["id"] for item in listed.json()["items"])
    for product_id in products:
        level = session.get(f"{base}/api/v1/admin/inventory/{product_id}", timeout=30)
        level.raise_for_status()
        available = level.json().get("available", 0)
        if available < STOCK_TARGET:
            adjusted = session.post(f"{base}/api/v1/admin/inventory/{product_id}/adjustments",
                                    json={"delta": STOCK_TARGET - available, "reason": "restock",
                                          "note": "bench/load"}, timeout=30)
            adjusted.raise_for_status()
    if len(products) < 2:
        raise RuntimeError("the catalog lists fewer than two products")

    def sign_up(_index):
        email = f"load-{uuid.uuid4().hex}@example.com"
        with requests.Session() as shopper:
            shopper.post(f"{base}/api/v1/auth/register", json={"email": email, "password": PASSWORD,
                                                                "name": "Load Shopper"}, timeout=60).raise_for_status()
            login = shopper.post(f"{base}/api/v1/auth/login", json={"email": email, "password": PASSWORD}, timeout=60)
            login.raise_for_status()
            return login.json()["access_token"]

    with ThreadPoolExecutor(max_workers=4) as pool:
        tokens.extend(pool.map(sign_up, range(_users())))


class Shopper(HttpUser):
    wait_time = _pacing()

    def on_start(self):
        self.client.headers["Authorization"] = "Bearer " + tokens.pop()
        self.option = None  # the shipping option, quoted at the first checkout
        self.last_ordered = None

    @task(8)
    def browse(self):
        params = {"limit": 20}
        if categories and random.random() < 0.5:
            params["category"] = random.choice(categories)
        self.client.get("/api/v1/products", params=params, name="browse")

    @task(3)
    def search(self):
        self.client.get("/api/v1/products", params={"query": random.choice(SEARCH_WORDS), "limit": 20}, name="search")

    @task(12)
    def product_page(self):
        self.client.get(f"/api/v1/products/{random.choice(products)}", name="product page")

    @task(2)
    def list_categories(self):
        self.client.get("/api/v1/categories", name="categories")

    @task(3)
    def cart_add(self):
        self.client.post("/api/v1/cart/items", json={"product_id": random.choice(products), "quantity": 1},
                         name="cart add")

    @task(3)
    def cart_view(self):
        self.client.get("/api/v1/cart", name="cart view")

    @task(1)
    def checkout(self):
        # A fresh cart of one product other than the last order's: cart drops an order's products
        # when its OrderConfirmed arrives, and a late one must not take the line just added.
        product = random.choice([p for p in products if p != self.last_ordered])
        self.last_ordered = product
        self.client.delete("/api/v1/cart", name="checkout: empty cart")
        self.client.post("/api/v1/cart/items", json={"product_id": product, "quantity": 1}, name="checkout: add")
        if self.option is None:
            quotes = self.client.post("/api/v1/shipping/quotes", json={"address": ADDRESS}, name="checkout: quote")
            if quotes.status_code != 200:
                return
            self.option = quotes.json()["options"][0]["id"]
        self.client.post("/api/v1/checkout", json={"shipping_address": ADDRESS, "shipping_option_id": self.option,
                                                    "payment": PAYMENT},
                         headers={"Idempotency-Key": uuid.uuid4().hex}, name="checkout")
