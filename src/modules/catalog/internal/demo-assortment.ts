/**
 * The demo shop's departments: what each sells, under which brands, at what prices and weights.
 * Kept as plain data so the generator (demo-catalog.ts) stays small and the words stay believable.
 */
export interface DemoDepartment {
  name: string;
  slug: string;
  /** Middle part of the demo SKUs, e.g. DEMO-AUD-00042. */
  code: string;
  brands: string[];
  adjectives: string[];
  /** [product noun, lowest price $, highest price $, lightest g, heaviest g] */
  goods: Array<[string, number, number, number, number]>;
  /** How the opening sentence of a description ends. */
  pitches: string[];
  features: string[];
}

export const DEMO_DEPARTMENTS: DemoDepartment[] = [
  {
    name: 'Headphones & Audio', slug: 'headphones-audio', code: 'AUD',
    brands: ['Sonora', 'Auralis', 'Bassline', 'Echovia', 'Tonecraft', 'Hushwave'],
    adjectives: ['Wireless', 'Noise-Cancelling', 'Studio', 'Wireless Noise-Cancelling', 'Compact', 'Waterproof', 'Hi-Fi'],
    goods: [['Headphones', 59, 399, 220, 380], ['Earbuds', 29, 249, 40, 70], ['Bluetooth Speaker', 39, 299, 300, 1800],
      ['Soundbar', 129, 799, 1800, 5200], ['Turntable', 149, 599, 3500, 7500], ['Headphone Amplifier', 79, 349, 400, 1200]],
    pitches: ['brings studio-quality sound to every commute', 'fills a room with rich, balanced sound', 'is tuned for long, fatigue-free listening'],
    features: ['up to 40 hours of battery life', 'active noise cancellation', 'Bluetooth 5.3 multipoint pairing', 'a USB-C fast-charging port',
      'memory-foam ear cushions', 'a built-in microphone for calls', 'an app with a custom equaliser'],
  },
  {
    name: 'Laptops', slug: 'laptops', code: 'LAP',
    brands: ['Vertex', 'Northbook', 'Lumina', 'Corebridge', 'Altura'],
    adjectives: ['Ultralight', 'Pro', 'Gaming', 'Business', 'Convertible', 'Creator'],
    goods: [['13-inch Laptop', 599, 1499, 1050, 1400], ['14-inch Laptop', 649, 1799, 1250, 1600], ['16-inch Laptop', 899, 2799, 1800, 2600],
      ['Chromebook', 249, 599, 1100, 1500], ['2-in-1 Laptop', 549, 1599, 1150, 1450], ['Workstation Laptop', 1499, 3999, 2200, 3000]],
    pitches: ['keeps up from the first meeting to the last deadline', 'packs desktop power into a slim aluminium body', 'is built for work on the move'],
    features: ['a 14-hour battery', '16 GB of memory', 'a 1 TB SSD', 'a high-refresh display', 'a backlit keyboard', 'Wi-Fi 6E',
      'two Thunderbolt ports', 'a 1080p webcam with privacy shutter'],
  },
  {
    name: 'Smartphones & Tablets', slug: 'smartphones-tablets', code: 'PHN',
    brands: ['Nimbus', 'Pocketa', 'Orbitel', 'Kaida', 'Zephyr'],
    adjectives: ['5G', 'Pro', 'Lite', 'Rugged', 'Foldable', 'Max'],
    goods: [['Smartphone', 199, 1199, 160, 240], ['Tablet', 149, 1099, 300, 700], ['E-Reader', 89, 279, 170, 230],
      ['Phone Case', 12, 49, 30, 80], ['Wireless Charger', 19, 79, 90, 250], ['Stylus Pen', 19, 129, 15, 25]],
    pitches: ['puts everything you need in the palm of your hand', 'is made for streaming, reading and staying in touch', 'keeps pace with a busy day'],
    features: ['a bright OLED screen', 'all-day battery life', 'a triple-lens camera', '256 GB of storage', 'fast wireless charging',
      'an IP68 water-resistance rating', 'five years of software updates'],
  },
  {
    name: 'Cameras & Photo', slug: 'cameras-photo', code: 'CAM',
    brands: ['Optika', 'Shutterline', 'Lensmark', 'Kestrel', 'Brightfield'],
    adjectives: ['Mirrorless', 'Full-Frame', 'Compact', 'Action', 'Instant', 'Travel'],
    goods: [['Camera', 299, 2499, 350, 900], ['Zoom Lens', 199, 1499, 300, 1200], ['Tripod', 39, 249, 900, 2500],
      ['Camera Bag', 29, 149, 500, 1400], ['Drone', 299, 1599, 250, 950], ['Ring Light', 25, 119, 600, 1800]],
    pitches: ['captures sharp, vivid pictures in any light', 'is ready for holidays, hikes and everything in between', 'helps beginners and pros get the shot'],
    features: ['in-body image stabilisation', '4K video recording', 'a weather-sealed body', 'fast hybrid autofocus', 'a flip-out touchscreen',
      'dual memory-card slots', 'built-in Wi-Fi transfer'],
  },
  {
    name: 'Kitchen', slug: 'kitchen', code: 'KIT',
    brands: ['Copperleaf', 'Hearthway', 'Saltbush', 'Mesa & Co.', 'Bramble'],
    adjectives: ['Stainless Steel', 'Cast Iron', 'Nonstick', 'Professional', 'Compact', 'Ceramic'],
    goods: [["Chef's Knife", 29, 189, 180, 320], ['Frying Pan', 25, 149, 900, 2800], ['Espresso Machine', 149, 899, 4500, 11000],
      ['Stand Mixer', 199, 649, 5500, 11000], ['Dutch Oven', 49, 349, 3500, 6500], ['Electric Kettle', 25, 129, 900, 1600], ['Blender', 39, 449, 2000, 5000]],
    pitches: ['makes weeknight cooking quicker and easier', 'is built to last a lifetime of family meals', 'brings café results to your countertop'],
    features: ['dishwasher-safe parts', 'an ergonomic handle', 'even heat distribution', 'a five-year warranty', 'a compact footprint',
      'induction compatibility', 'a PFAS-free coating'],
  },
  {
    name: 'Home & Furniture', slug: 'home-furniture', code: 'HOM',
    brands: ['Oakhaven', 'Nordlys', 'Linden Lane', 'Casa Verde', 'Tidewell'],
    adjectives: ['Solid Oak', 'Mid-Century', 'Scandinavian', 'Velvet', 'Modular', 'Handwoven'],
    goods: [['Armchair', 199, 899, 9000, 22000], ['Coffee Table', 99, 599, 8000, 25000], ['Bookshelf', 79, 449, 12000, 40000],
      ['Floor Lamp', 49, 299, 3000, 8000], ['Area Rug', 59, 499, 2500, 12000], ['Throw Blanket', 25, 129, 700, 1800]],
    pitches: ['adds warmth and character to any room', 'pairs timeless design with everyday comfort', 'is made to be lived with'],
    features: ['sustainably sourced materials', 'easy tool-free assembly', 'a stain-resistant finish', 'soft rounded edges',
      'a ten-year frame guarantee', 'a choice of neutral tones'],
  },
  {
    name: 'Books', slug: 'books', code: 'BOK',
    brands: ['Larkspur Press', 'Northwind Books', 'Quillstone', 'Harbor & Vale', 'Bluefield Editions'],
    adjectives: ['Illustrated', 'Complete', 'Pocket', 'Essential', "Collector's", "Beginner's"],
    goods: [['Guide to Sourdough Baking', 14, 39, 350, 900], ['Atlas of the World', 24, 79, 900, 2400], ['Field Guide to Birds', 12, 34, 300, 700],
      ['History of Ancient Rome', 15, 45, 500, 1100], ['Book of Houseplants', 12, 32, 300, 800], ['Guide to Python Programming', 29, 69, 600, 1300],
      ['Handbook of Woodworking', 19, 49, 700, 1400]],
    pitches: ['is a book to read once and keep for years', 'explains its subject clearly, step by step', 'makes a thoughtful gift'],
    features: ['over 200 colour photographs', 'a detailed index', 'a sturdy sewn binding', 'clear diagrams on every page',
      'a foreword by a leading expert', 'practical exercises at the end of each chapter'],
  },
  {
    name: 'Sports & Outdoors', slug: 'sports-outdoors', code: 'SPO',
    brands: ['Trailpeak', 'Summitline', 'Riverstone', 'Fjellstad', 'Pacewell'],
    adjectives: ['Lightweight', 'Ultralight', 'Insulated', 'All-Weather', 'Trail', 'Packable'],
    goods: [['Hiking Backpack', 49, 249, 900, 2200], ['Two-Person Tent', 99, 549, 1200, 3200], ['Sleeping Bag', 59, 399, 700, 2000],
      ['Water Bottle', 15, 49, 250, 500], ['Running Shoes', 69, 189, 450, 700], ['Yoga Mat', 19, 119, 900, 2500], ['Trekking Poles', 29, 179, 400, 650]],
    pitches: ['is ready for weekend trails and long expeditions alike', 'keeps you moving in any weather', 'is tested by guides in the mountains'],
    features: ['recycled ripstop fabric', 'a lifetime repair promise', 'reflective details for low light', 'a breathable mesh back panel',
      'a weight that barely registers', 'quick-dry materials'],
  },
  {
    name: 'Toys & Games', slug: 'toys-games', code: 'TOY',
    brands: ['Puzzlewood', 'Brightblock', 'Little Lantern', 'Gamewright Grove', 'Tumbletop'],
    adjectives: ['Wooden', 'Classic', 'Deluxe', 'Family', 'Educational', 'Magnetic'],
    goods: [['Building Set', 19, 149, 400, 2500], ['Board Game', 19, 69, 700, 1800], ['Jigsaw Puzzle', 12, 39, 500, 1200],
      ['Train Set', 39, 199, 1500, 4500], ['Plush Bear', 12, 49, 200, 600], ['Science Kit', 24, 89, 600, 1800]],
    pitches: ['turns a rainy afternoon into an adventure', 'brings the whole family to the table', 'sparks curiosity in young minds'],
    features: ['non-toxic water-based paints', 'pieces sized for small hands', 'rules that take five minutes to learn',
      'a sturdy storage box', 'hours of replay value', 'safety-tested to EN 71'],
  },
  {
    name: 'Beauty & Personal Care', slug: 'beauty-personal-care', code: 'BEA',
    brands: ['Lumière', 'Verdant Skin', 'Maris', 'Petalwood', 'Solenne'],
    adjectives: ['Hydrating', 'Fragrance-Free', 'Organic', 'Vitamin C', 'Travel-Size', 'Gentle'],
    goods: [['Face Serum', 14, 89, 60, 150], ['Moisturiser', 12, 69, 80, 250], ['Shampoo', 8, 34, 300, 600],
      ['Electric Toothbrush', 29, 199, 150, 400], ['Hair Dryer', 39, 299, 450, 900], ['Body Lotion', 8, 39, 250, 550]],
    pitches: ['fits easily into a morning routine', 'is kind to sensitive skin', 'leaves you feeling refreshed all day'],
    features: ['dermatologist-tested formulas', 'recyclable packaging', 'no parabens or sulphates', 'a light, non-greasy feel',
      'cruelty-free certification', 'ingredients from sustainable farms'],
  },
  {
    name: 'Clothing & Shoes', slug: 'clothing-shoes', code: 'CLO',
    brands: ['Thread & Thimble', 'Northcoat', 'Loomhouse', 'Meridian', 'Selvedge Row'],
    adjectives: ['Merino Wool', 'Organic Cotton', 'Waterproof', 'Slim-Fit', 'Linen', 'Recycled'],
    goods: [['Sweater', 39, 179, 300, 700], ['Rain Jacket', 69, 299, 350, 900], ['Jeans', 39, 149, 500, 900],
      ['T-Shirt', 12, 49, 150, 250], ['Leather Boots', 89, 299, 900, 1700], ['Sneakers', 49, 169, 600, 1000]],
    pitches: ['is cut for comfort from morning to evening', 'is made to be worn for many seasons', 'pairs with everything in your wardrobe'],
    features: ['reinforced seams', 'a relaxed fit', 'ethically made in Portugal', 'machine-washable fabric', 'natural, breathable fibres',
      'free alterations within 30 days'],
  },
  {
    name: 'Garden & Tools', slug: 'garden-tools', code: 'GAR',
    brands: ['Greenthumb', 'Ironroot', 'Fieldcraft', 'Hollybrook', 'Spadewell'],
    adjectives: ['Cordless', 'Heavy-Duty', 'Ergonomic', 'Telescopic', 'Stainless Steel', 'Weatherproof'],
    goods: [['Drill Driver', 59, 249, 1100, 2000], ['Pruning Shears', 15, 69, 180, 320], ['Garden Hose', 25, 99, 1500, 4500],
      ['Lawn Mower', 179, 699, 12000, 28000], ['Tool Set', 39, 249, 2500, 9000], ['Raised Garden Bed', 59, 299, 6000, 20000]],
    pitches: ['makes weekend projects quicker', 'is built for years of hard work', 'helps your garden thrive season after season'],
    features: ['a long-life lithium battery', 'rust-resistant steel', 'a comfortable soft-grip handle', 'a three-year warranty',
      'spare parts available for ten years', 'a compact design for small sheds'],
  },
];

/** Closing sentences any department can use. */
export const DEMO_CLOSINGS = [
  'Orders ship within two business days.',
  'Returns are free within 30 days.',
  'Covered by a two-year manufacturer warranty.',
  'Rated four stars and up by our customers.',
  'A favourite with our staff this season.',
];
