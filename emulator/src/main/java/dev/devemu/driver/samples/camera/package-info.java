/** ipu6_isys: the article's IPU6 camera case study, a V4L2 capture driver raw (C habits) and safe (typed DMA). */
package dev.devemu.driver.samples.camera;
