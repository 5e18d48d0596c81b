import type { DemoCatalog } from './demo-catalog.ts';

/**
 * Google's Online Boutique (microservices-demo, src/productcatalogservice/products.json): its nine
 * products with their own ids, so its load generator, which asks for those ids, finds them here.
 * Names, descriptions, prices and categories are theirs; the weights are ours (their catalog has
 * none, our shipping needs them). The images are theirs too, served by the storefront from
 * src/storefront/static/img/products/ at the `picture` path their catalog gives.
 */

/** Marks these products for the warehouse, which opens ample stock for them (on-product-created.ts). */
const SKU_PREFIX = 'BOUTIQUE-';

/** Their `priceUsd` (whole dollars and billionths) in cents. */
const usd = (units: number, nanos: number) => units * 100 + Math.round(nanos / 10_000_000);

/** Their category names, as slugs; the name is only capitalised for people. */
const CATEGORIES = ['accessories', 'clothing', 'tops', 'footwear', 'hair', 'beauty', 'decor', 'home', 'kitchen'];

// A product of theirs may list several categories; ours has one, so each takes the first it lists.
const PRODUCTS = [
  { id: 'OLJCESPC7Z', name: 'Sunglasses', description: 'Add a modern touch to your outfits with these sleek aviator sunglasses.', picture: 'sunglasses.jpg', price: usd(19, 990_000_000), categories: ['accessories'], weightGrams: 30 },
  { id: '66VCHSJNUP', name: 'Tank Top', description: 'Perfectly cropped cotton tank, with a scooped neckline.', picture: 'tank-top.jpg', price: usd(18, 990_000_000), categories: ['clothing', 'tops'], weightGrams: 120 },
  { id: '1YMWWN1N4O', name: 'Watch', description: 'This gold-tone stainless steel watch will work with most of your outfits.', picture: 'watch.jpg', price: usd(109, 990_000_000), categories: ['accessories'], weightGrams: 150 },
  { id: 'L9ECAV7KIM', name: 'Loafers', description: 'A neat addition to your summer wardrobe.', picture: 'loafers.jpg', price: usd(89, 990_000_000), categories: ['footwear'], weightGrams: 800 },
  { id: '2ZYFJ3GM2N', name: 'Hairdryer', description: "This lightweight hairdryer has 3 heat and speed settings. It's perfect for travel.", picture: 'hairdryer.jpg', price: usd(24, 990_000_000), categories: ['hair', 'beauty'], weightGrams: 450 },
  { id: '0PUK6V6EV0', name: 'Candle Holder', description: 'This small but intricate candle holder is an excellent gift.', picture: 'candle-holder.jpg', price: usd(18, 990_000_000), categories: ['decor', 'home'], weightGrams: 250 },
  { id: 'LS4PSXUNUM', name: 'Salt & Pepper Shakers', description: 'Add some flavor to your kitchen.', picture: 'salt-and-pepper-shakers.jpg', price: usd(18, 490_000_000), categories: ['kitchen'], weightGrams: 200 },
  { id: '9SIQT8TOJO', name: 'Bamboo Glass Jar', description: 'This bamboo glass jar can hold 57 oz (1.7 l) and is perfect for any kitchen.', picture: 'bamboo-glass-jar.jpg', price: usd(5, 490_000_000), categories: ['kitchen'], weightGrams: 900 },
  { id: '6E92ZMYYFZ', name: 'Mug', description: 'A simple mug with a mustard interior.', picture: 'mug.jpg', price: usd(8, 990_000_000), categories: ['kitchen'], weightGrams: 350 },
];

/** The Online Boutique catalog (SEED_DEMO=boutique): nine categories, nine products. */
export function buildBoutiqueCatalog(): DemoCatalog {
  return {
    categories: CATEGORIES.map((slug) => ({ name: slug[0].toUpperCase() + slug.slice(1), slug })),
    products: PRODUCTS.map(({ id, name, description, picture, price, categories, weightGrams }) => ({
      id,
      sku: `${SKU_PREFIX}${id}`,
      name,
      description,
      categorySlug: categories[0],
      price,
      weightGrams,
      imageUrl: `/static/img/products/${picture}`,
    })),
  };
}
