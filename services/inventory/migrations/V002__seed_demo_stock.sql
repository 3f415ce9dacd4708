-- Demo stock for the demo catalog, so a fresh store can be browsed and checked out at once.
--
-- Why inventory holds these ids: stock is kept per catalog product, and inventory is told about
-- products by the catalog (ProductCreated events, when the outbox issue lands) rather than by
-- reading the catalog's schema, which it cannot do. Those events do not exist for the demo
-- catalog, which catalog seeds in its own V002__seed_demo_catalog.sql with FIXED product ids, so
-- this seed copies the same ids. Later stock rows follow catalog events (and AdjustStock).
--
-- Quantities are invented but believable. Three active products are low (at or under the
-- default threshold of 5) so ListLowStock has something to show, and the two discontinued
-- products (inactive in the catalog) have none left.
-- Runs once, on first start, with search_path = inventory; the migration runner wraps it in a
-- transaction.

INSERT INTO stock (product_id, on_hand) VALUES
    ('79c8c292-6b94-45b5-b498-82321e35049e',  89),  -- AUD-HP-0001 Northwind Aria Wireless Noise-Cancelling Headphones
    ('eb7a7995-9588-432d-8242-aadbc8f429a4',  22),  -- AUD-HP-0002 Northwind Aria Lite On-Ear Headphones
    ('515c6123-6c88-4537-bcf3-bd58da60fb1c',  11),  -- AUD-EB-0003 Pellucid Pod Pro Wireless Earbuds
    ('88718c96-6f3d-48f7-b4b1-b64633be40f5', 102),  -- AUD-SP-0004 Harbor & Pine Drift Portable Wireless Speaker
    ('5b08acc2-13a5-4f07-9a1b-195060c40eb7',  43),  -- AUD-SP-0005 Harbor & Pine Hearth Bookshelf Speakers (Pair)
    ('4a894db7-e48f-42b9-aa5d-670af9a3638e',   3),  -- AUD-TT-0006 Calloway Groove Belt-Drive Turntable (low: at or under the threshold of 5)
    ('82b9bfbc-91ba-4257-9abe-22cad37b17c6',  39),  -- AUD-HP-0007 Tessel Studio Monitor Headphones
    ('a5240b60-20d0-429c-8cf1-97f45625871b',  36),  -- AUD-AC-0008 Tessel Walnut Headphone Stand
    ('400cb70f-964e-43c0-b4a3-165de1ab3e01',   0),  -- AUD-EB-0009 Pellucid Pod Classic Wired Earbuds (discontinued)
    ('83d8e92d-f2ad-4c0e-a683-acdf2060d7c4',  25),  -- CMP-KB-0001 Keystone K75 Wireless Mechanical Keyboard
    ('b039ee16-9646-4718-8f3d-9a4de6cf02bb', 102),  -- CMP-MS-0002 Keystone Glide Ergonomic Wireless Mouse
    ('e085b021-e0d4-4f2b-935a-b03d8de49eb1',   2),  -- CMP-MN-0003 Lumatek 27" QHD IPS Monitor (low: at or under the threshold of 5)
    ('428474c1-5e9e-4ba7-a6a8-6bd5a7550d23',  21),  -- CMP-HB-0004 Portbridge 7-in-1 USB-C Hub
    ('94a2de50-ff54-4939-a9d6-bd800bc49874',  94),  -- CMP-SS-0005 Vaultline 1TB Portable SSD
    ('764ae4d4-359e-4d02-9cb2-5c12903c3ad2', 102),  -- CMP-WC-0006 Lumatek ClearView 1080p Webcam
    ('79fdda8f-d41f-425b-959b-a1690ce64264',  77),  -- CMP-RT-0007 Meshwell AX3000 Wi-Fi 6 Wireless Router
    ('167dd41a-347a-4e47-8e5a-c63a43514e2e',  19),  -- CMP-LS-0008 Aldergrove Adjustable Aluminum Laptop Stand
    ('a30354ef-398b-4edf-a326-3c49440a9a11',  83),  -- CMP-CH-0009 Voltaire 65W GaN USB-C Charger
    ('67c8765c-5781-4ce8-98f0-1733d942b204',  62),  -- HOM-CF-0001 Copperleaf Gooseneck Pour-Over Coffee Kettle
    ('a37f115c-6a44-43cc-8df2-d1aff1067dbd',  12),  -- HOM-CF-0002 Copperleaf Conical Burr Coffee Grinder
    ('a22fa1f7-2560-4b2f-8a7c-e6e5f89c8d33',  11),  -- HOM-CF-0003 Brightmorning 12-Cup Programmable Coffee Maker
    ('5043796d-4061-4823-9b39-320448410fe3',  19),  -- HOM-CK-0004 Ironvale 10" Pre-Seasoned Cast Iron Skillet
    ('1098d6a9-0494-4815-8587-18296e887807',  35),  -- HOM-KN-0005 Sable & Steel 8" Chef's Knife
    ('9b19cdec-60c9-4347-ba38-b767352e4941',  37),  -- HOM-LT-0006 Lumen & Loom Ceramic Table Lamp
    ('8935b28f-afb5-454b-b80b-86486a2a1812',  72),  -- HOM-LT-0007 Lumen & Loom Arc Floor Lamp
    ('17cde531-518b-48ab-af8d-8e8e32474e22',  85),  -- HOM-TX-0008 Fernhill Waffle-Weave Bath Towel Set
    ('cfc2ffe4-ed22-41f1-ad33-ce50dcfe4bcc',  11),  -- OUT-BP-0001 Ridgeback Trailhead 28L Daypack Backpack
    ('3f0279a1-abe7-420e-89e0-b9583a589e65',  79),  -- OUT-BP-0002 Ridgeback Summit 55L Trekking Backpack
    ('c10c2788-a8e1-4980-86f6-d2e1c91d6da3',   5),  -- OUT-TN-0003 Cedar Hollow 2-Person Backpacking Tent (low: at or under the threshold of 5)
    ('d703d5b0-62c4-4228-9e5d-4d25c8ec9feb',  33),  -- OUT-SB-0004 Cedar Hollow 20-Degree Down Sleeping Bag
    ('c8bd8770-d23a-42d9-bd31-09bf6bd33d83',  99),  -- OUT-LT-0005 Beacon Ridge Rechargeable Camping Lantern
    ('26b8e5ba-2d10-49f2-a2f5-6763d5236ac1',  91),  -- OUT-HL-0006 Beacon Ridge 350-Lumen Headlamp
    ('fd39265b-b32e-4ea1-9439-f75f10c01d5d',  97),  -- OUT-BT-0007 Glacierline 32 oz Insulated Water Bottle
    ('616273cd-d6a1-4e4f-8ca4-c608ef605abf',  77),  -- OUT-CH-0008 Driftwood Folding Camp Chair
    ('bb9d2ebe-f476-492f-80fc-275e69b5220d',  61),  -- BKS-CK-0001 The Weeknight Kitchen: 120 Recipes in 30 Minutes
    ('2f62323b-3622-4fad-82d1-4e0a57e101e1',  36),  -- BKS-TR-0002 Trails of the Cascades: A Hiker's Field Guide
    ('2e3d6a63-40ed-467e-8564-f1dc632417c4',  65),  -- BKS-FI-0003 The Lighthouse Keeper's Daughter (Paperback)
    ('9713b936-62cb-4300-ba5f-9ccdad9a6f2d',  83),  -- BKS-PR-0004 Practical Systems Design
    ('9e8c1878-d546-4ac5-a48f-cff28cc334f4',  43),  -- BKS-CF-0005 Brewed: A Home Barista's Guide to Coffee
    ('52bd78ee-9ff2-4d16-b697-99bacbebb741', 111),  -- BKS-KD-0006 Goodnight, Little Fox
    ('670c22f0-5c9c-40ad-968a-fe5e7d671459',   0),  -- BKS-FI-0007 The Lighthouse Keeper's Daughter (First Edition Hardcover) (discontinued)
    ('ef5ead0b-e38a-45e0-8c64-498c8ee93884', 119),  -- APP-JK-0001 Northbound Packable Down Jacket
    ('65feb06c-dac1-438d-8e19-08e532ae8f10',   8),  -- APP-TS-0002 Common Thread Organic Cotton Crew Tee
    ('4d0d21a3-710e-4c3f-9654-e963457642bd', 105),  -- APP-HD-0003 Common Thread Heavyweight Pullover Hoodie
    ('f230b77b-1c4d-4493-a298-2e5b770e5f35', 111),  -- APP-SK-0004 Woolcrest Merino Trail Socks (3-Pack)
    ('087d804e-bd29-470d-836f-cbe0d077e1be',  28),  -- APP-RN-0005 Tidewater Waterproof Rain Shell
    ('0ba75e63-2205-4ad7-bd66-c01f47376eb4',  97),  -- APP-BN-0006 Woolcrest Ribbed Merino Beanie
    ('fac19bd7-8163-4187-95ce-2fd817781ac9',  62),  -- APP-BG-0007 Common Thread Waxed Canvas Commuter Backpack
    ('a736357e-8e82-4020-9048-83eb74645968',  51),  -- TOY-BG-0001 Harbors of Marrowind Strategy Board Game
    ('a1a58ce8-3556-473a-94f6-9a60f9d97768',  43),  -- TOY-PZ-0002 Tidepool 1000-Piece Jigsaw Puzzle
    ('fe5dd6f6-5d04-4969-b606-7ae6ac125000',  27),  -- TOY-BL-0003 Brickforge 500-Piece Starter Building Set
    ('5d4a47ec-58ca-418c-a7e5-67e387ed23b1',  35),  -- TOY-RC-0004 Zipline Remote Control Stunt Car
    ('24b99aa4-e600-4110-a26a-6c288814f4bf', 105),  -- TOY-CG-0005 Quibble: The Fast Word Card Game
    ('0476dff0-f4fb-4348-a325-af54a30a6e7a',  51),  -- TOY-PL-0006 Meadowbrook Plush Red Fox
    ('8c5e5efd-1d23-47fe-be6b-74a0934c4538',  21),  -- OFF-DL-0001 Lumen & Loom LED Desk Lamp with Wireless Charger
    ('8b79ec1a-5a26-4e7a-b4be-a62d788c5f34',  19),  -- OFF-CH-0002 Postura Ergonomic Mesh Office Chair
    ('509c2530-0367-4f48-a429-6461beddd096',  56),  -- OFF-DK-0003 Postura Electric Standing Desk, 48 x 30 in
    ('d3a71489-888c-4c0b-a3f7-b4ef51fb5227',  20),  -- OFF-NB-0004 Fieldnote Dot-Grid Hardcover Notebook (A5)
    ('787b1186-31fd-4a9d-851d-62b5bd703358',  53),  -- OFF-PN-0005 Inkwell Brass Fountain Pen
    ('1e036ff5-150f-47fd-9da7-e515e33a2538', 116);  -- OFF-HS-0006 Tessel Wireless Office Headset
